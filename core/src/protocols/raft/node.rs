//! The roles of a Raft run (server, client, experiment driver) behind the simulator's `Node` trait.

use super::check;
use super::client::Client;
use super::driver::Driver;
use super::msg::{Cmd, RaftMsg, RaftTimer};
use super::server::{server_name, Role, Server, C};
use crate::ids::NodeId;
use crate::node::{ClientRequest, ElectionTimer, Kind, Node, RequestForm, Shape};
use crate::view::{LogTail, NodeView, PeerProgress};

/// A D4 participant.
#[derive(Clone, Debug)]
pub enum RaftNode {
    Server(Box<Server>),
    Client(Client),
    Driver(Driver),
}

impl RaftNode {
    pub fn as_server(&self) -> Option<&Server> {
        match self {
            RaftNode::Server(s) => Some(s),
            _ => None,
        }
    }
}

fn hand_command(req: &ClientRequest) -> Result<Cmd, String> {
    let key = req.numbered_key()?;
    match req.op.as_str() {
        "write" | "put" => {
            let value = req.value.ok_or("a write needs a value")?;
            Ok(Cmd::Put { key, value })
        }
        "read" | "get" => Ok(Cmd::Get { key }),
        other => Err(format!("unknown op {other:?}: use write or read")),
    }
}

impl RaftNode {
    /// Everything this role may record, listed for the run report from the start (review 27 B2).
    fn list_report_keys(&self, ctx: &mut C<'_>) {
        match self {
            RaftNode::Server(_) => {
                let counters = ["elections", "leader_changes", "step_downs", "commits", "redirects"];
                ctx.reports(Shape::Counter, &counters);
                ctx.reports(Shape::Gauge, &["highest_term", "commit_index"]);
                ctx.reports(Shape::Histogram, &["commit_latency_ms"]);
            }
            RaftNode::Client(_) => {
                let counters = ["requests", "responses", "late_responses", "errors", "timeouts"];
                ctx.reports(Shape::Counter, &counters);
                ctx.reports(Shape::Histogram, &["latency_ms"]);
            }
            RaftNode::Driver(_) => {
                ctx.reports(Shape::Counter, &["trials", "warmup_trials", "trials_aborted"]);
                ctx.reports(Shape::Gauge, &["election_downtime_p50_ms"]);
                ctx.reports(Shape::Histogram, &["election_downtime_ms"]);
            }
        }
    }
}

impl Node for RaftNode {
    type Msg = RaftMsg;
    type Timer = RaftTimer;
    const KEEPS_HISTORY: bool = true;

    fn init(&mut self, ctx: &mut C<'_>) {
        ctx.declare(&["errors", "timeouts"]);
        self.list_report_keys(ctx);
        match self {
            RaftNode::Server(s) => s.reset_election_timer(ctx),
            RaftNode::Client(c) => c.init(ctx),
            RaftNode::Driver(d) => d.init(ctx),
        }
    }

    fn on_message(&mut self, ctx: &mut C<'_>, from: NodeId, msg: RaftMsg) {
        match (self, msg) {
            (RaftNode::Server(s), RaftMsg::RequestVote { term, last_index, last_term }) => {
                s.on_request_vote(ctx, from, term, (last_index, last_term))
            }
            (RaftNode::Server(s), RaftMsg::Vote { term, granted }) => s.on_vote(ctx, from, term, granted),
            (RaftNode::Server(s), m @ RaftMsg::AppendEntries { .. }) => s.on_append_entries(ctx, from, m),
            (RaftNode::Server(s), RaftMsg::AppendReply { term, success, match_index }) => {
                s.on_append_reply(ctx, from, term, success, match_index)
            }
            (RaftNode::Server(s), RaftMsg::Request { id, cmd }) => s.on_request(ctx, from, id, cmd),
            (RaftNode::Client(c), RaftMsg::NotLeader { id, hint }) => c.on_not_leader(ctx, from, id, hint),
            (RaftNode::Client(c), RaftMsg::Response { id, value }) => c.on_response(ctx, from, id, value),
            (RaftNode::Driver(d), RaftMsg::Report { event, term, at }) => {
                d.on_report(ctx, from, event, term, at)
            }
            (_, m) => ctx.note(format!("ignored unexpected {}", m.kind())),
        }
    }

    fn on_timer(&mut self, ctx: &mut C<'_>, timer: RaftTimer) {
        match (self, timer) {
            (RaftNode::Server(s), RaftTimer::Election) => s.on_election_timeout(ctx),
            (RaftNode::Server(s), RaftTimer::Heartbeat) => s.on_heartbeat(ctx),
            (RaftNode::Client(c), t) => c.on_timer(ctx, t),
            (RaftNode::Driver(d), t) => d.on_timer(ctx, t),
            (_, t) => ctx.ignored_timer(&t),
        }
    }

    /// A follower or candidate times out as when its own timer fires; a leader keeps none.
    fn election_timer(&self) -> ElectionTimer<RaftTimer> {
        match self {
            RaftNode::Server(s) if s.role == Role::Leader => {
                ElectionTimer::Idle("is the leader, which keeps no election timer")
            }
            RaftNode::Server(_) => ElectionTimer::Running(RaftTimer::Election),
            RaftNode::Client(_) | RaftNode::Driver(_) => ElectionTimer::None,
        }
    }

    fn requests(&self) -> &'static [&'static str] {
        match self {
            // A command typed at a server: the leader appends it, a follower redirects.
            RaftNode::Server(_) => &["write", "read"],
            RaftNode::Client(_) => &["request"],
            RaftNode::Driver(_) => &[],
        }
    }

    fn request_form(&self, op: &str) -> RequestForm {
        match self {
            RaftNode::Server(_) => RequestForm::key_value(op),
            _ => RequestForm::default(),
        }
    }

    fn on_client(&mut self, ctx: &mut C<'_>, req: &ClientRequest) {
        match self {
            RaftNode::Server(s) => match hand_command(req) {
                Ok(cmd) => s.on_hand_command(ctx, cmd),
                Err(why) => ctx.note(format!("ignored {:?}: {why}", req.op)),
            },
            RaftNode::Client(c) => {
                ctx.note(format!("user sent a request ({})", req.op));
                c.start_op(ctx, false);
            }
            RaftNode::Driver(_) => ctx.note("the experiment driver takes no requests"),
        }
    }

    fn on_crash(&mut self) {
        match self {
            RaftNode::Server(s) => s.crash(),
            RaftNode::Client(c) => c.crash(),
            RaftNode::Driver(_) => {}
        }
    }

    fn view(&self) -> NodeView {
        match self {
            RaftNode::Server(s) => server_view(s),
            RaftNode::Client(c) => NodeView::new("client", format!("{} pending", c.pending()))
                .field("sent", c.sent())
                .field("pending", c.pending())
                .field("leader guess", server_name(c.guess())),
            RaftNode::Driver(d) => {
                let mut v = NodeView::new("driver", format!("trial {}/{}", d.done, d.trials))
                    .field("trials done", d.done)
                    .field("leader", d.leader().map_or("?".into(), server_name));
                if let Some(us) = d.last_downtime_us {
                    v = v.field("last downtime ms", format!("{:.1}", us as f64 / 1000.0));
                }
                if let Some(us) = d.median_downtime_us() {
                    v = v.field("median downtime ms", format!("{:.1}", us as f64 / 1000.0));
                }
                if d.in_trial() {
                    v = v.badge("measuring");
                }
                v
            }
        }
    }

    fn invariants(_nodes: &[Self]) -> &'static [&'static str] {
        check::INVARIANTS
    }

    /// Clients' kinds only with clients, `Report` only with the experiment driver.
    fn kinds(nodes: &[Self]) -> Vec<&'static str> {
        let has = |f: fn(&Self) -> bool| nodes.iter().any(f);
        let (clients, driver) =
            (has(|n| matches!(n, RaftNode::Client(_))), has(|n| matches!(n, RaftNode::Driver(_))));
        let wanted = |k: &&str| match *k {
            "Request" | "Response" | "NotLeader" => clients,
            "Report" => driver,
            _ => true,
        };
        RaftMsg::KINDS.iter().copied().filter(wanted).collect()
    }

    const GLOBAL_CHECK: bool = true;
    fn check(nodes: &[Self], up: &[bool], out: &mut Vec<(&'static str, String)>) {
        let servers: Vec<&Server> = nodes.iter().filter_map(RaftNode::as_server).collect();
        check::check(&servers, &up[..servers.len()], out);
    }
}

fn server_view(s: &Server) -> NodeView {
    let role = match s.role {
        Role::Follower => "follower",
        Role::Candidate => "candidate",
        Role::Leader => "leader",
    };
    // The vote, as RaftScope shows it: whom a follower voted for this term, a candidate's tally.
    let label = match (s.role, s.voted_for) {
        (Role::Candidate, _) => format!("term {} · {} of {} votes", s.term, s.votes.len(), s.p.servers),
        (Role::Follower, Some(v)) => format!("term {} · voted {}", s.term, server_name(v)),
        _ => format!("term {}", s.term),
    };
    let mut v = NodeView::new(role, label)
        .field("term", s.term)
        .field("voted for", s.voted_for.map_or("-".into(), server_name))
        .field("log length", s.last_index())
        .field("last log term", s.last_term())
        .field("commit index", s.commit)
        .field("last applied", s.applied)
        .field("keys", s.kv.len());
    if s.role == Role::Leader {
        v = v.badge("leader");
    }
    if s.role == Role::Candidate {
        v = v.votes(s.votes.clone());
    }
    v = v.term(s.term).log(log_tail(s));
    if let Some((set_at, fires_at)) = s.election_timer {
        v = v.countdown(set_at, fires_at);
    }
    if s.p.unsafe_skip_log_check {
        v = v.alert("unsafe votes");
    }
    if s.p.is_laggard(s.id) {
        v = v.alert("stale log");
    }
    v
}

/// The newest entries of `s`'s log with their commands, and, on a leader, where each follower's
/// nextIndex and matchIndex stand (what RaftScope draws under each follower's log).
fn log_tail(s: &Server) -> LogTail {
    let cmd_of = |i: u64| s.log.get(i as usize - 1).map_or(String::new(), |e| e.cmd.short());
    let tail = LogTail::of(s.last_index(), s.commit, |i| s.term_at(i)).commands(cmd_of);
    if s.role != Role::Leader {
        return tail;
    }
    let progress = |peer: NodeId| {
        let (next, matched) = (s.next.get(peer.index())?, s.matched.get(peer.index())?);
        Some(PeerProgress { peer, next: *next, matched: *matched })
    };
    tail.progress(s.peers(s.id).filter_map(progress).collect())
}

//! The four safety properties of Raft (Figure 3 of the paper), checked after every event.
//!
//! Cheap by construction: every entry carries a hash of the log prefix ending at it (`chain`), so
//! "these two logs agree up to index i" is one comparison. Logs are durable, so crashed servers
//! are checked too; commit and apply indexes are volatile and only count while they exist.

use super::server::{Role, Server};

pub const ELECTION_SAFETY: &str = "election safety";
pub const LOG_MATCHING: &str = "log matching";
pub const LEADER_COMPLETENESS: &str = "leader completeness";
pub const STATE_MACHINE_SAFETY: &str = "state machine safety";

pub const INVARIANTS: &[&str] = &[ELECTION_SAFETY, LOG_MATCHING, LEADER_COMPLETENESS, STATE_MACHINE_SAFETY];

type Out = Vec<(&'static str, String)>;

/// `servers[i]` is server `n{i+1}`; `up[i]` whether it runs.
pub fn check(servers: &[&Server], up: &[bool], out: &mut Out) {
    election_safety(servers, out);
    // Once per server, not once per pair: a lost entry was reported four times by five servers.
    for (i, s) in servers.iter().enumerate() {
        if s.applied > s.last_index() {
            let said = format!("n{} applied index {} but its log lost it", i + 1, s.applied);
            out.push((STATE_MACHINE_SAFETY, said));
        }
    }
    for (a, sa) in servers.iter().enumerate() {
        for (b, sb) in servers.iter().enumerate().skip(a + 1) {
            log_matching(a, sa, b, sb, out);
            state_machine_safety(a, sa, b, sb, out);
        }
    }
    leader_completeness(servers, up, out);
}

/// At most one leader per term: each server's latest led term must not be in anyone else's record.
fn election_safety(servers: &[&Server], out: &mut Out) {
    for (a, sa) in servers.iter().enumerate() {
        let Some(&t) = sa.led_terms.last() else { continue };
        for (b, sb) in servers.iter().enumerate() {
            if a != b && sb.led_terms.binary_search(&t).is_ok() {
                out.push((ELECTION_SAFETY, format!("n{} and n{} both led term {t}", a + 1, b + 1)));
                return;
            }
        }
    }
}

/// Same index and term ⇒ identical prefixes. Spot-checked where logs meet: the end of the shorter
/// log, and each server's commit index.
fn log_matching(a: usize, sa: &Server, b: usize, sb: &Server, out: &mut Out) {
    let common = sa.last_index().min(sb.last_index());
    for i in [common, sa.commit.min(common), sb.commit.min(common)] {
        if i > 0 && sa.term_at(i) == sb.term_at(i) && sa.chain_at(i) != sb.chain_at(i) {
            out.push((
                LOG_MATCHING,
                format!(
                    "n{} and n{} hold term {} at index {i} but differ before it",
                    a + 1,
                    b + 1,
                    sa.term_at(i)
                ),
            ));
            return;
        }
    }
}

/// No two servers apply different commands at the same index (a server whose log lost an entry
/// it applied is reported by [`check`] on its own).
fn state_machine_safety(a: usize, sa: &Server, b: usize, sb: &Server, out: &mut Out) {
    if sa.applied > sa.last_index() || sb.applied > sb.last_index() {
        return;
    }
    let m = sa.applied.min(sb.applied);
    if m > 0 && sa.chain_at(m) != sb.chain_at(m) {
        out.push((
            STATE_MACHINE_SAFETY,
            format!("n{} and n{} applied different commands up to index {m}", a + 1, b + 1),
        ));
    }
}

/// A committed entry is in the log of every leader of a later term: each running leader must hold
/// the committed prefix of every server that learned its commit index in an earlier term.
fn leader_completeness(servers: &[&Server], up: &[bool], out: &mut Out) {
    for (l, sl) in servers.iter().enumerate() {
        if !up[l] || sl.role != Role::Leader {
            continue;
        }
        for (s, ss) in servers.iter().enumerate() {
            let c = ss.commit;
            if s == l || c == 0 || ss.commit_term >= sl.term {
                continue;
            }
            if sl.last_index() < c || sl.chain_at(c) != ss.chain_at(c) {
                out.push((
                    LEADER_COMPLETENESS,
                    format!(
                        "n{} leads term {} without the entries n{} saw committed up to index {c}",
                        l + 1,
                        sl.term,
                        s + 1
                    ),
                ));
                return;
            }
        }
    }
}

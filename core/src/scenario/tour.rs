//! A guided tour of a run (The Secret Lives of Data style): the run plays, stops at each of the
//! scenario's notes so the reader can read it, and plays on when asked. The tour is built from
//! the notes (`ScenarioEvent::Note`) alone, so a teacher's notes written in the editor, carried
//! in a link or an embed, make a tour with nothing else to set.

use super::{Scenario, ScenarioEvent};
use crate::SimTime;

/// One place the tour stops, and what it says there.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    pub at: SimTime,
    pub text: String,
}

/// The stops, in time order, one per instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tour {
    pub stops: Vec<Stop>,
}

impl Tour {
    /// The scenario's notes in time order. Notes at the same instant make one stop (their texts
    /// in script order, one paragraph each): the playhead cannot stop twice at one time, and
    /// Continue from the first would skip the second.
    pub fn of(sc: &Scenario) -> Tour {
        let mut notes: Vec<(u64, &str)> = (sc.events.iter())
            .filter_map(|e| match &e.event {
                ScenarioEvent::Note { text } if !text.trim().is_empty() => Some((e.at_ms, text.as_str())),
                _ => None,
            })
            .collect();
        notes.sort_by_key(|(at, _)| *at); // stable: script order within an instant
        let mut stops: Vec<Stop> = Vec::new();
        for (at, text) in notes {
            match stops.last_mut() {
                Some(last) if last.at == SimTime::from_ms(at) => {
                    last.text.push_str("\n\n");
                    last.text.push_str(text);
                }
                _ => stops.push(Stop { at: SimTime::from_ms(at), text: text.to_string() }),
            }
        }
        Tour { stops }
    }

    pub fn len(&self) -> usize {
        self.stops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stops.is_empty()
    }

    /// The stop the card shows with the playhead at `now`: the last at or before it (none before
    /// the first stop).
    pub fn shown(&self, now: SimTime) -> Option<usize> {
        self.stops.iter().rposition(|s| s.at <= now)
    }

    /// Where playing from `now` pauses next: the first stop after it.
    pub fn next_after(&self, now: SimTime) -> Option<SimTime> {
        self.stops.iter().map(|s| s.at).find(|&at| at > now)
    }

    /// Where Back goes from `now`: the stop before the one shown, or the start of the run.
    pub fn back_from(&self, now: SimTime) -> SimTime {
        match self.shown(now) {
            Some(k) if k > 0 => self.stops[k - 1].at,
            _ => SimTime::ZERO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Timed;

    fn tour(notes: &[(u64, &str)]) -> Tour {
        let mut sc = crate::presets::get("d4-raft-election").expect("d4");
        sc.events = notes
            .iter()
            .map(|&(at_ms, text)| Timed {
                at_ms,
                event: ScenarioEvent::Note { text: text.into() },
                by_hand: false,
            })
            .collect();
        sc.events.push(Timed { at_ms: 50, event: ScenarioEvent::Heal, by_hand: false });
        Tour::of(&sc)
    }

    #[test]
    fn stops_are_the_notes_in_time_order_and_a_shared_instant_is_one_stop() {
        let t = tour(&[(300, "c"), (100, "a"), (300, "d"), (200, "b"), (400, "  ")]);
        let said: Vec<(u64, &str)> = t.stops.iter().map(|s| (s.at.as_us() / 1000, s.text.as_str())).collect();
        assert_eq!(said, [(100, "a"), (200, "b"), (300, "c\n\nd")], "no stop for the heal or a blank note");
    }

    #[test]
    fn the_card_shows_the_last_stop_reached_and_playing_pauses_at_the_next() {
        let t = tour(&[(100, "a"), (200, "b"), (300, "c")]);
        let ms = SimTime::from_ms;
        assert_eq!(t.shown(ms(99)), None);
        assert_eq!(t.shown(ms(100)), Some(0));
        assert_eq!(t.shown(ms(250)), Some(1), "scrubbed between stops: the one before");
        assert_eq!(t.next_after(ms(0)), Some(ms(100)));
        assert_eq!(t.next_after(ms(100)), Some(ms(200)), "Continue from a stop goes to the next");
        assert_eq!(t.next_after(ms(300)), None, "after the last stop the run plays to its end");
    }

    #[test]
    fn back_goes_to_the_stop_before_the_one_shown_or_the_start() {
        let t = tour(&[(100, "a"), (200, "b"), (300, "c")]);
        let ms = SimTime::from_ms;
        assert_eq!(t.back_from(ms(300)), ms(200));
        assert_eq!(t.back_from(ms(250)), ms(100));
        assert_eq!(t.back_from(ms(100)), SimTime::ZERO);
        assert_eq!(t.back_from(ms(50)), SimTime::ZERO);
    }
}

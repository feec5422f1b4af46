//! The lesson beside the running simulation: its title and its Markdown, rendered safely by
//! [`super::markdown`] (lesson text can come from a shared link, so it is untrusted). A teacher
//! who changed the run can write its lesson here ([`LessonEditor`]); the link then carries it.

use super::lesson_editor::LessonEditor;
use super::markdown::Markdown;
use crate::player::{Action, Player, TourMove};
use yew::prelude::*;

#[derive(Properties, PartialEq, Debug)]
pub struct LessonProps {
    pub title: AttrValue,
    pub text: AttrValue,
}

/// The lesson without its opening heading: a leading `#`/`##` heading is the lesson's own title
/// (the scenario title is already shown above it), and a deeper one is dropped if it repeats it.
pub fn body_of<'a>(title: &str, text: &'a str) -> &'a str {
    let trimmed = text.trim_start();
    let (first, rest) = trimmed.split_once('\n').unwrap_or((trimmed, ""));
    let heading = first.trim_start_matches('#').trim();
    let top_level = first.starts_with("# ") || first.starts_with("## ");
    let repeats = heading == title || title.starts_with(heading);
    if first.starts_with('#') && !heading.is_empty() && (top_level || repeats) {
        rest
    } else {
        text
    }
}

/// "Take the tour (N steps)", when the scenario has notes: the tour plays the run from the start
/// and stops at each (see [`crate::player::TourMove`]). On a phone the stage is far above; the
/// card takes the focus from this button, and the browser scrolls to it.
#[function_component(TakeTheTour)]
fn take_the_tour() -> Html {
    let p = use_context::<Player>();
    let steps = {
        let session = p.as_ref().map(|p| p.session.clone());
        *use_memo(p.as_ref().map(|p| p.scenario_rev), move |_| {
            session.map_or(0, |s| dsplay_core::scenario::tour::Tour::of(s.borrow().scenario()).len())
        })
    };
    let Some(p) = p.filter(|_| steps > 0) else { return html! {} };
    let start = p.dispatch.reform(|_: MouseEvent| Action::Tour(TourMove::Start));
    html! {
        <button class="take-tour primary" onclick={start} data-tour-start=""
            title="Play the run from the start, stopping at each step to say what just happened">
            {format!("Take the tour ({steps} steps)")}</button>
    }
}

/// The preset whose lesson now stands over a changed run (see
/// [`dsplay_core::presets::lesson_outdated`]), looked up once per change of the scenario.
#[hook]
fn use_outdated() -> std::rc::Rc<Option<String>> {
    let p = use_context::<Player>();
    let rev = p.as_ref().map(|p| p.scenario_rev);
    use_memo(rev, move |_| {
        p.and_then(|p| dsplay_core::presets::lesson_outdated(p.session.borrow().scenario()))
    })
}

#[function_component(Lesson)]
pub fn lesson(props: &LessonProps) -> Html {
    let editing = use_state(|| false);
    // Editing needs the player; a lesson shown on its own (a test, a host page) is read only.
    let can_edit = use_context::<Player>().is_some();
    let outdated = use_outdated();
    if *editing {
        let done = {
            let editing = editing.clone();
            Callback::from(move |()| {
                editing.set(false);
                // Back on the lesson, the key goes on from the button that opened the editor.
                crate::focus::rescue(vec![".edit-lesson".into()]);
            })
        };
        return html! { <LessonEditor on_done={done} /> };
    }
    let body = AttrValue::from(body_of(&props.title, &props.text).to_string());
    let edit = Callback::from(move |_: MouseEvent| {
        editing.set(true);
        // The button is gone with the lesson it stood under: the key goes on in the title field.
        crate::focus::rescue(vec!["#lesson-title".into()]);
    });
    html! {
        <section class="lesson" aria-label="Lesson">
            <h2>{props.title.clone()}</h2>
            if let Some(preset) = &*outdated {
                <p class="lesson-outdated" role="note">
                    {format!("This run was changed from the preset “{preset}”. The lesson below was written for the \
                        preset, so its times and numbers may not match. Open the preset from the list to see the \
                        original, or write this run's own lesson (✎ Edit lesson, at the foot).")}
                </p>
            }
            <TakeTheTour />
            <Markdown text={body} />
            if can_edit {
                <button class="edit-lesson" onclick={edit}
                    title="Write your own title and lesson for this run; the link and the embed code carry them">
                    {"✎ Edit lesson"}
                </button>
            }
        </section>
    }
}

//! Write the lesson: a title, the Markdown, and a preview rendered as students will see it (the
//! same safe renderer: HTML shows as text). Save puts both into the scenario, so the link, the
//! embed code and the exports carry them; the run itself does not change. A text over its limit
//! is refused next to its field, and the draft is kept.

use super::lesson::body_of;
use super::markdown::Markdown;
use crate::player::{Action, Player};
use dsplay_core::readable::grouped;
use dsplay_core::scenario::{limits, Meta};
use dsplay_core::ScenarioError;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LessonEditorProps {
    /// Called when the editor closes (saved or cancelled).
    pub on_done: Callback<()>,
}

/// What is wrong with a draft, by field (`title` or `lesson`).
fn problem(title: &str, lesson: &str) -> Option<(String, String)> {
    let meta = Meta { title: title.to_string(), lesson: lesson.to_string(), ..Meta::default() };
    match meta.check() {
        Err(ScenarioError::Invalid { field, message }) => Some((field, message)),
        Err(e) => Some(("meta.lesson".into(), e.to_string())),
        Ok(()) => None,
    }
}

#[function_component(LessonEditor)]
pub fn lesson_editor(props: &LessonEditorProps) -> Html {
    let p = use_context::<Player>();
    let start = p.as_ref().map(|p| {
        let s = p.session.borrow();
        (s.scenario().meta.title.clone(), s.scenario().meta.lesson.clone())
    });
    let (title0, lesson0) = start.unwrap_or_default();
    let title = use_state(|| title0.clone());
    let lesson = use_state(|| lesson0.clone());
    let Some(p) = p else { return html! {} };

    let bad = problem(&title, &lesson);
    let said = |field: &str| bad.as_ref().filter(|(f, _)| f == field).map(|(_, m)| m.clone());
    let changed = *title != title0 || *lesson != lesson0;
    let save = {
        let (d, done, title, lesson, ok) = (
            p.dispatch.clone(),
            props.on_done.clone(),
            title.clone(),
            lesson.clone(),
            bad.is_none() && changed,
        );
        move || {
            if ok {
                d.emit(Action::Describe { title: (*title).clone(), lesson: (*lesson).clone() });
                done.emit(());
            }
        }
    };
    let on_save = {
        let save = save.clone();
        Callback::from(move |_: MouseEvent| save())
    };
    // Ctrl+Enter (⌘+Enter) saves from either field, as in most comment boxes.
    let on_key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" && (e.ctrl_key() || e.meta_key()) {
            e.prevent_default();
            save();
        }
    });
    let on_title = {
        let title = title.clone();
        Callback::from(move |e: InputEvent| title.set(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_lesson = {
        let lesson = lesson.clone();
        Callback::from(move |e: InputEvent| {
            lesson.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let cancel = props.on_done.reform(|_: MouseEvent| ());
    let count = lesson.chars().count();
    let (title_err, lesson_err) = (said("meta.title"), said("meta.lesson"));
    let shown_title =
        if title.trim().is_empty() { "Untitled scenario".to_string() } else { (*title).clone() };
    let body = body_of(&shown_title, &lesson);
    // The lesson's own opening heading stands for the title and is not shown under it: say so, or
    // a teacher's "## Week 4" vanished from the lesson without a word (review 10).
    let dropped = (body.len() != lesson.len()).then(|| {
        let first = lesson.trim_start().lines().next().unwrap_or_default().trim();
        format!(
            "The opening heading \"{first}\" is not shown: the title above stands for it. Start with ### to \
             keep it as a heading inside the lesson."
        )
    });
    let preview = AttrValue::from(body.to_string());
    html! {
        <section class="lesson lesson-editor" aria-label="Edit the lesson" onkeydown={on_key}>
            <h2>{"Edit the lesson"}</h2>
            <label for="lesson-title">{"Title"}</label>
            <input id="lesson-title" type="text" value={(*title).clone()} oninput={on_title}
                aria-invalid={title_err.is_some().to_string()} aria-describedby="lesson-title-error" />
            if let Some(e) = title_err.clone() { <p id="lesson-title-error" class="field-error" role="alert">{e}</p> }
            <label for="lesson-text">{"Lesson "}<span class="hint">{"(Markdown: ## headings, **bold**, `code`, lists, links; HTML shows as text)"}</span></label>
            <textarea id="lesson-text" rows="14" spellcheck="true" value={(*lesson).clone()} oninput={on_lesson}
                aria-invalid={lesson_err.is_some().to_string()} aria-describedby="lesson-text-count lesson-text-error" />
            <p id="lesson-text-count" class={classes!("count", lesson_err.is_some().then_some("over"))}>
                { format!("{} of {} characters", grouped(count as u64), grouped(limits::MAX_TEXT as u64)) }
            </p>
            if let Some(e) = lesson_err.clone() { <p id="lesson-text-error" class="field-error" role="alert">{e}</p> }
            if let Some(note) = dropped { <p id="lesson-heading-note" class="hint">{note}</p> }
            <div class="lesson-actions">
                <button id="lesson-save" class="primary" onclick={on_save} disabled={bad.is_some() || !changed}
                    title="Save (Ctrl+Enter): the link and the embed code carry the new lesson">{"Save"}</button>
                <button id="lesson-cancel" onclick={cancel}>{ if changed { "Discard changes" } else { "Close" } }</button>
            </div>
            <h3 class="preview-label">{"Preview"}</h3>
            <div class="lesson-preview" aria-label="Preview of the lesson">
                <h2>{shown_title}</h2>
                <Markdown text={preview} />
            </div>
        </section>
    }
}

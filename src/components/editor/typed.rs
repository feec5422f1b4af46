//! A text field that keeps what the user types until they commit it (a change: Enter, or leaving
//! the field). The forms around it draw again on every frame while the run plays, and an input
//! bound straight to the committed value lost each keystroke to the next frame (review 18).

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TypedProps {
    /// The committed value: what the field shows when nothing is being typed.
    pub value: AttrValue,
    /// Called with the field's text when the user commits it.
    pub on_commit: Callback<String>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or(AttrValue::Static("text"))]
    pub input_type: AttrValue,
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    #[prop_or_default]
    pub step: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub path: Option<AttrValue>,
    #[prop_or_default]
    pub invalid: Option<AttrValue>,
    #[prop_or_default]
    pub described: Option<AttrValue>,
}

/// What is typed, with the committed value it was typed over: if that value changes under it (a
/// Reset, another scenario), the typing was about the old one and is dropped.
type Typing = Option<(AttrValue, String)>;

/// The text to show: the typing while its value still stands, else the committed value.
fn shown(typing: &Typing, value: &AttrValue) -> String {
    match typing {
        Some((over, text)) if over == value => text.clone(),
        _ => value.to_string(),
    }
}

#[function_component(Typed)]
pub fn typed(props: &TypedProps) -> Html {
    let typing = use_mut_ref(|| None::<(AttrValue, String)>);
    let field = use_node_ref();
    // Bumped at each commit, so the field is put back to the committed value even when that value
    // did not change (a refused seed keeps the old one).
    let commits = use_state(|| 0u32);
    {
        let (field, typing, value) = (field.clone(), typing.clone(), props.value.clone());
        use_effect_with((props.value.clone(), *commits), move |_| {
            let text = shown(&typing.borrow(), &value);
            if let Some(el) = field.cast::<HtmlInputElement>() {
                if el.value() != text {
                    el.set_value(&text);
                }
            }
        });
    }
    let oninput = {
        let (typing, value) = (typing.clone(), props.value.clone());
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            *typing.borrow_mut() = Some((value.clone(), el.value()));
        })
    };
    let onchange = {
        let (typing, commit, commits) = (typing.clone(), props.on_commit.clone(), commits.clone());
        Callback::from(move |e: Event| {
            let el: HtmlInputElement = e.target_unchecked_into();
            *typing.borrow_mut() = None;
            commit.emit(el.value());
            commits.set(*commits + 1);
        })
    };
    let value = shown(&typing.borrow(), &props.value);
    html! {
        <input ref={field} type={props.input_type.clone()} id={props.id.clone()} class={props.class.clone()}
            inputmode={props.inputmode.clone()} step={props.step.clone()} placeholder={props.placeholder.clone()}
            data-path={props.path.clone()} aria-invalid={props.invalid.clone()}
            aria-describedby={props.described.clone()} {value} {oninput} {onchange} />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn typing_shows_until_its_value_changes_under_it() {
        let twenty = AttrValue::from("20");
        assert_eq!(shown(&None, &twenty), "20");
        let typing = Some((twenty.clone(), "15".to_string()));
        assert_eq!(shown(&typing, &twenty), "15");
        assert_eq!(shown(&typing, &AttrValue::from("30")), "30");
    }
}

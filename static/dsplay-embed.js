// <dsplay-embed>: a dsplay scenario in a course page, as one element.
//
//   <script defer src="https://YOUR-HOST/dsplay/dsplay-embed.js"></script>
//   <dsplay-embed preset="d4-raft-election" autoplay speed="2" t="4000" until="9000" loop
//                 controls="min" theme="dark"></dsplay-embed>
//
// The element draws the playground's embed mode in an <iframe> served from where this script
// came from, so the course page needs no other file and the playground keeps its own
// Content-Security-Policy. Every attribute is optional:
//   preset    a preset id (default: the playground's default preset)
//   link      a shared link, or its fragment ("#s=…"), for an edited scenario
//   autoplay  play at once (unless the reader prefers reduced motion); absent: wait for Play
//   speed     0.001 to 100 (× real time; the Embed dialog offers 0.1 to 100); t, until: the part of the run to play, in ms; loop
//   tour      open on the guided tour of the scenario's notes (it stops at each)
//   controls  min (default), full or none; theme: dark or light (default: the reader's system
//             setting, not the course page's colours: give it on a dark page)
//   height    the frame's height in px (default 420); width: its widest in px (default 720);
//             title: what a screen reader announces
//             (default: the scenario's title, which the frame tells the element once it loads)
// A value the playground cannot use is named in a banner inside the frame, which then shows
// what it can (the preset from the start, 1×, …), as a full link would.
//
// A classic script, not a module: a module from another site loads only if that site sends CORS
// headers, which a course page's author cannot count on.
(() => {
  "use strict";

  const base = new URL("./", document.currentScript.src);

  /** Attributes passed on as they are, checked by the playground itself. */
  const VALUES = ["preset", "speed", "t", "until", "controls", "theme"];
  /** Attributes that are on when present (`autoplay="false"` or `"0"` turns one off). */
  const SWITCHES = ["autoplay", "loop", "tour"];

  function on(el, name) {
    const v = el.getAttribute(name);
    return v !== null && v !== "false" && v !== "0";
  }

  /** The frame's address for the element's attributes. */
  function source(el) {
    const q = new URLSearchParams({ embed: "1" });
    for (const name of VALUES) {
      const v = el.getAttribute(name);
      if (v !== null && v !== "") q.set(name, v);
    }
    for (const name of SWITCHES) if (on(el, name)) q.set(name, "1");
    const link = el.getAttribute("link") || "";
    const hash = link.includes("#") ? link.slice(link.indexOf("#")) : "";
    return `${base.href}?${q}${hash}`;
  }

  class DsplayEmbed extends HTMLElement {
    /** A size attribute in whole px from `lo` to `hi`, else `usual`. */
    pixels(name, lo, hi, usual) {
      const given = this.getAttribute(name);
      const px = Number(given);
      const fits = given !== null && Number.isInteger(px) && px >= lo && px <= hi;
      this.warned = this.warned || {};
      if (given !== null && !fits && this.warned[name] !== given) {
        // Said where the page's author looks, not silently drawn at another size; once per value
        // (each attribute parsed calls this again).
        this.warned[name] = given;
        console.warn(`<dsplay-embed>: ${name}="${given}" is not a whole number of px from ${lo} to ${hi}; using ${usual}`);
      }
      return fits ? px : usual;
    }

    static observedAttributes = [...VALUES, ...SWITCHES, "link", "height", "width", "title"];

    constructor() {
      super();
      const root = this.attachShadow({ mode: "open" });
      const style = document.createElement("style");
      style.textContent =
        ":host{display:block;max-width:720px}" +
        "iframe{display:block;width:100%;border:0;border-radius:6px}";
      this.frame = document.createElement("iframe");
      this.frame.loading = "lazy";
      root.append(style, this.frame);
    }

    connectedCallback() {
      // The frame posts `{dsplay: "title", title}` when it knows its scenario: only a message
      // from this element's own frame, from the playground's origin, names it.
      this.heard = (e) => {
        const d = e.data;
        if (e.source !== this.frame.contentWindow || e.origin !== base.origin) return;
        if (!d || d.dsplay !== "title" || typeof d.title !== "string") return;
        this.scenario = d.title.slice(0, 200);
        this.update();
      };
      window.addEventListener("message", this.heard);
      this.update();
    }

    disconnectedCallback() {
      window.removeEventListener("message", this.heard);
    }

    attributeChangedCallback() {
      if (this.isConnected) this.update();
    }

    update() {
      const src = source(this);
      if (this.frame.getAttribute("src") !== src) {
        this.frame.src = src;
        this.scenario = null;
      }
      this.frame.style.height = `${this.pixels("height", 200, 2000, 420)}px`;
      // The element's own style, over its shadow's `:host` rule.
      this.style.maxWidth = `${this.pixels("width", 240, 2400, 720)}px`;
      const preset = this.getAttribute("preset");
      const what = this.scenario || (preset ? `the scenario ${preset}` : "a scenario");
      this.frame.title = this.getAttribute("title") || `dsplay, a distributed-systems simulation: ${what}`;
    }
  }

  if (!customElements.get("dsplay-embed")) customElements.define("dsplay-embed", DsplayEmbed);
})();

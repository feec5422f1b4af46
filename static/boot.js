// Loads the app. Trunk's loader is replaced by this external module (see `pattern_script` in
// Trunk.toml) so that the Content-Security-Policy needs no inline scripts.
//
// Until the app draws, index.html's #boot says it is loading (the app, mounted on <body>,
// replaces it). If the app cannot start (no WebAssembly, a download cut off, a file missing on
// the host) #boot says why, instead of leaving a blank page. A panic shows the app's own panel.
const tag = document.querySelector('script[data-dsplay-js]');
// The loading line in the theme the app will show: an embed's `theme=`, else the one chosen on
// an earlier visit (a dark course page flashed a light frame while the wasm came; review 33 N6).
// Handed back to the app once it runs, which sets its own.
const query = new URLSearchParams(location.search);
const stored = (() => { try { return localStorage.getItem('dsplay-theme'); } catch { return null; } })();
const theme = query.get('embed') ? query.get('theme') : stored;
if (theme === 'dark' || theme === 'light') document.documentElement.style.colorScheme = theme;
const said = (text) => {
  const boot = document.getElementById('boot');
  if (!boot || document.getElementById('crash-panel')) return;
  boot.classList.add('failed');
  boot.setAttribute('role', 'alert');
  document.getElementById('boot-said').textContent = text;
};
if (typeof WebAssembly !== 'object') {
  said('dsplay cannot start: this browser does not run WebAssembly. Open the page in a current Chrome, Firefox, Safari or Edge.');
} else {
  try {
    const { default: init } = await import(tag.dataset.dsplayJs);
    await init({ module_or_path: tag.dataset.dsplayWasm });
    document.documentElement.style.colorScheme = '';
  } catch (e) {
    said(`dsplay could not start (${e && e.message ? e.message : e}). Reload the page; if that does not help, the site may be missing a file.`);
  }
}

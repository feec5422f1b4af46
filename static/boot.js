// Loads the app. Trunk's loader is replaced by this external module (see `pattern_script` in
// Trunk.toml) so that the Content-Security-Policy needs no inline scripts.
//
// Until the app draws, index.html's #boot says it is loading (the app, mounted on <body>,
// replaces it). If the app cannot start (no WebAssembly, a download cut off, a file missing on
// the host) #boot says why, instead of leaving a blank page. A panic shows the app's own panel.
const tag = document.querySelector('script[data-dsplay-js]');
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
  } catch (e) {
    said(`dsplay could not start (${e && e.message ? e.message : e}). Reload the page; if that does not help, the site may be missing a file.`);
  }
}

// Loads the app. Trunk's loader is replaced by this external module (see `pattern_script` in
// Trunk.toml) so that the Content-Security-Policy needs no inline scripts.
const tag = document.querySelector('script[data-dsplay-js]');
const { default: init } = await import(tag.dataset.dsplayJs);
await init({ module_or_path: tag.dataset.dsplayWasm });

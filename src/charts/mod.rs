//! Charts with plotters: a run's metrics get sensible charts (`choice`, pure), metrics become
//! series (`series`, pure), A's and B's series of one chart
//! are merged for Compare (`overlay`, pure), and one drawing function (`draw`) renders them to a
//! canvas in the app (`paint`, throttled, at the screen's density: `hidpi`; `watch` repaints on a
//! theme or size change) and to SVG for export and tests.

pub mod choice;
pub mod draw;
pub mod footer;
pub mod hidpi;
pub mod legend;
pub mod overlay;
pub mod paint;
pub mod probe;
pub mod readout;
pub mod series;
pub mod shade;
pub mod watch;

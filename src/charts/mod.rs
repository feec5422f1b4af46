//! Charts with plotters: metrics become series (`series`, pure), and one drawing function
//! (`draw`) renders them to a canvas in the app and to SVG for export and tests.

pub mod draw;
pub mod series;

//! Output formats. Each format turns a [`crate::summary::Summary`] into bytes; where the
//! bytes go (a file, written whole or not at all, or stdout) is decided in
//! one place, [`crate::output`].

pub mod backtest_chart;
pub mod calibration;
pub mod cells;
pub mod chart;
pub mod compare_chart;
pub mod comparison;
pub mod csv;
pub mod fan;
pub mod format;
pub mod headline;
pub mod html;
pub mod html_calibration;
pub mod html_pipeline;
pub mod html_plan;
pub mod html_sensitivity;
pub mod json;
pub mod lang;
pub(crate) mod names;
pub mod pipeline_chart;
pub mod raster;
pub mod sheets;
pub mod sparkline;
pub mod table;
pub mod text;
pub mod tornado;
pub mod workbook;

//! The pages.

pub mod case;
pub mod erase;
pub mod field;
pub mod legal;
pub mod my_data;
pub mod my_reports;
pub mod public_map;
pub mod report;
pub mod report_detail;
mod report_form;
pub mod status;

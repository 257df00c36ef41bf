//! `check-data` as a validator of what matters to answers: each non-conformity of a CNIG
//! delivery to its standard, with the file and row, the rule (named like the codes of IGN's CNIG
//! validator where it has one), its effect on answers and a severity. The loaders only hand over
//! what they read ([`crate::load::plu::ReadDelivery`]); every rule is one function
//! of [`rules`].

mod rules;
pub mod sup;

use serde::Serialize;

use super::plu::ReadDelivery;

/// How much a non-conformity matters to answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Answers are wrong or missing because of it (`check-data` exits non-zero).
    Error,
    /// Answers may be incomplete or lose a label; the rest holds.
    Warning,
    /// No effect on answers; worth fixing in the delivery.
    Info,
}

/// One non-conformity.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Issue {
    /// The rule (a code of the standard's validator, or a snapshot's copy of one), e.g. `CNIG_IDURBA_UNEXPECTED`, `ATTRIBUTE_NOT_UNIQUE`, `GEOMETRY_INVALID`.
    pub rule: std::borrow::Cow<'static, str>,
    /// How much it matters.
    pub severity: Severity,
    /// The file (relative to the data folder, `file.gpkg:table` for a GeoPackage table).
    pub file: String,
    /// The row or feature number in the file (0-based), when the issue is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// What is wrong, in French, with the value at fault.
    pub message: String,
    /// What it does to answers, in French.
    pub effect: std::borrow::Cow<'static, str>,
}

/// The non-conformities of one delivery.
#[derive(Debug, Clone, Serialize, Default)]
pub struct DeliveryConformity {
    /// The delivery (its folder name).
    pub delivery: String,
    /// Number of issues per severity.
    pub errors: usize,
    /// See [`DeliveryConformity::errors`].
    pub warnings: usize,
    /// See [`DeliveryConformity::errors`].
    pub infos: usize,
    /// Every issue, errors first.
    pub issues: Vec<Issue>,
}

impl DeliveryConformity {
    /// The report of `delivery` holding `issues`, counted and sorted by severity.
    pub fn new(delivery: &str, mut issues: Vec<Issue>) -> Self {
        issues.sort_by_key(|i| i.severity);
        let count = |s: Severity| issues.iter().filter(|i| i.severity == s).count();
        DeliveryConformity {
            delivery: delivery.to_string(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            issues,
        }
    }
}

pub use sup::check as check_sup;

/// Every rule over a planning delivery.
pub fn check(name: &str, delivery: &ReadDelivery) -> DeliveryConformity {
    let mut issues = Vec::new();
    rules::required_files(delivery, &mut issues);
    rules::unreadable_layers(delivery, &mut issues);
    rules::doc_urba_rows(delivery, &mut issues);
    rules::unexpected_idurba(delivery, &mut issues);
    rules::code_lists(delivery, &mut issues);
    rules::dates(delivery, &mut issues);
    rules::invalid_geometries(delivery, &mut issues);
    DeliveryConformity::new(name, issues)
}

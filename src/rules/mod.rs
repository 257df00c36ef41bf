//! Which rules apply, in words. The rules decide from [`Facts`] and the families' [`Finding`]s —
//! never from the dataset or the answer: the planning status of a place ([`status`]) and the
//! synthetic summary ([`summary`]).

pub mod facts;
pub mod finding;
pub mod key_rules;
pub mod sentence;
pub mod status;
pub mod summary;

pub use facts::{Covered, Facts, NearestParcel};
pub use finding::{Context, Finding, Hit, HitFinding, ScopeKind, SourceRef};
pub use sentence::{french_date, french_number, share_text, Sentence, SentenceKind};
pub use status::{planning_status, PlanningStatus};
pub use summary::summarise;

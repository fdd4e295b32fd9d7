//! The data model: what a record is, its codes and dates, and the one table of its fields.
//!
//! Nothing here reads a file or knows about HTTP; every layer above speaks these types.

pub mod codes;
pub mod columns;
pub mod dates;
pub mod record;

pub use codes::{
    Claim, CodeError, CountBasis, DatePrecision, EndPrecision, GeoPrecision, Kind, Link,
};
pub use record::{round6, Area, Citation, Document, LaunchSite, Record};

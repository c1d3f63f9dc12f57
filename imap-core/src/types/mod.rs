//! The protocol's data types, on both sides of the wire. Each type's doc
//! gives the ABNF it follows (RFC 9051 section 9 unless said otherwise).

pub(crate) mod body;
pub(crate) mod bytestr;
pub(crate) mod capability;
pub(crate) mod code;
pub(crate) mod command;
pub(crate) mod datetime;
pub(crate) mod envelope;
pub(crate) mod fetch;
pub(crate) mod flag;
pub(crate) mod list;
pub(crate) mod mailbox;
pub(crate) mod mime;
pub(crate) mod response;
pub(crate) mod search;
pub(crate) mod secret;
pub(crate) mod sequence;
pub(crate) mod state;
pub(crate) mod status;
pub(crate) mod string;
pub(crate) mod tag;
pub(crate) mod utf7;

pub use body::{
    BodyExtension, BodyFields, BodyStructure, Disposition, MultiPart, MultiPartExt, SinglePart,
    SinglePartExt, SinglePartKind,
};
pub use bytestr::ByteStr;
pub use capability::{Capabilities, Capability};
pub use code::{MetadataCode, ResponseCode};
pub use command::{
    AppendMessage, Command, ListCommand, ListReturn, ListSelect, MetadataDepth, QResync, RawArg,
    SearchReturn, SelectModifiers, SortCriterion, SortKey, StoreMode, ThreadAlgorithm,
};
pub use datetime::{Date, DateTime};
pub use envelope::{group_addresses, Address, AddressEntry, Envelope};
pub use fetch::{Fetch, FetchAttr, FetchItem, Section, SectionText};
pub use flag::Flag;
pub use list::{ListAttribute, ListExtendedItem, ListItem, SpecialUse};
pub use mailbox::Mailbox;
pub use mime::decode_rfc2047;
pub use response::{
    AclEntry, Annotation, Continue, Data, ESearch, MetadataEntry, Namespace, Namespaces, Quota,
    QuotaResource, Response, Status, StatusKind, Thread,
};
pub use search::SearchKey;
pub use secret::Secret;
pub use sequence::{SeqNum, SeqRange, SequenceSet, SequenceSetError};
pub use state::StateName;
pub use status::{StatusAttr, StatusItem};
pub use string::StringKind;
pub use tag::Tag;
pub use utf7::{decode_utf7, encode_utf7, Utf7Error};

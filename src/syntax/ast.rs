//! The typed syntax tree of a .mesh file: what was written, with a byte span
//! on every node. Produced by `syntax::parse`, read by `model` and `fmt`.
//!
//! The tree is faithful to the text (numbers keep their spelling, comments
//! are kept in `File::comments`) and knows nothing of meaning: whether an
//! attribute exists, or a name refers to anything, is decided in `model`.

use crate::diagnostics::Span;
pub use crate::vocabulary::{CompareOp, Direction, Protocol, RuleAction};

/// A whole source file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    pub declarations: Vec<Declaration>,
    /// Every `//` and `/* */` comment, in source order. Doc comments (`///`)
    /// belong to the declaration or member they precede instead.
    pub comments: Vec<Comment>,
    /// Declarations that could not be parsed but whose `kind name` could be
    /// read: later stages treat their names as declared, so that a syntax
    /// error is not followed by "unknown name" errors wherever it is used.
    pub unparsed: Vec<(DeclKind, Ident)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentKind {
    Line,
    Block,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    pub kind: CommentKind,
    /// The comment's full text, delimiters included.
    pub text: String,
    pub span: Span,
}

/// One `///` line, without the slashes and the first space.
#[derive(Clone, Debug, PartialEq)]
pub struct DocLine {
    pub text: String,
    pub span: Span,
}

/// A name as written: a declaration name, an attribute key, a keyword.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    pub text: String,
    pub span: Span,
}

/// `payment`, `inventory.reserve`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

impl Path {
    /// The path as written, segments joined with `.`.
    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|segment| segment.text.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeclKind {
    System,
    Network,
    Service,
    Event,
    Bus,
    Rule,
    Queue,
    Topic,
    Stream,
    Table,
    Database,
    Bucket,
    Secret,
    Parameter,
    Saga,
    Firewall,
    Nacl,
}

impl DeclKind {
    pub const ALL: [DeclKind; 17] = [
        DeclKind::System,
        DeclKind::Network,
        DeclKind::Service,
        DeclKind::Event,
        DeclKind::Bus,
        DeclKind::Rule,
        DeclKind::Queue,
        DeclKind::Topic,
        DeclKind::Stream,
        DeclKind::Table,
        DeclKind::Database,
        DeclKind::Bucket,
        DeclKind::Secret,
        DeclKind::Parameter,
        DeclKind::Saga,
        DeclKind::Firewall,
        DeclKind::Nacl,
    ];

    /// The keyword that introduces this kind of declaration.
    pub fn keyword(self) -> &'static str {
        match self {
            DeclKind::System => "system",
            DeclKind::Network => "network",
            DeclKind::Service => "service",
            DeclKind::Event => "event",
            DeclKind::Bus => "bus",
            DeclKind::Rule => "rule",
            DeclKind::Queue => "queue",
            DeclKind::Topic => "topic",
            DeclKind::Stream => "stream",
            DeclKind::Table => "table",
            DeclKind::Database => "database",
            DeclKind::Bucket => "bucket",
            DeclKind::Secret => "secret",
            DeclKind::Parameter => "parameter",
            DeclKind::Saga => "saga",
            DeclKind::Firewall => "firewall",
            DeclKind::Nacl => "nacl",
        }
    }
}

/// `kind name { members }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    pub doc: Vec<DocLine>,
    pub kind: DeclKind,
    pub keyword_span: Span,
    pub name: Ident,
    pub members: Vec<Member>,
    /// From the keyword to the closing brace (doc comments excluded).
    pub span: Span,
}

/// An entry of a declaration or block body, with its doc comment.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub doc: Vec<DocLine>,
    pub item: Item,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Attribute(Attribute),
    Block(Block),
    Relation(Relation),
    NetRule(NetRule),
    Schema(Schema),
}

/// `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub key: Ident,
    pub value: Value,
    /// `where ...` after the value: only a saga's `trigger` has one.
    pub filter: Option<Filter>,
    pub span: Span,
}

/// A nested block: `subnet app { ... }`, `dlq { ... }`, `usage { ... }`, or
/// one whose keyword the enclosing kind does not know (`usag { ... }`), kept
/// so that the model can report it by name.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub keyword: Ident,
    pub name: Option<Ident>,
    pub members: Vec<Member>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RelationKind {
    Calls,
    Publishes,
    Consumes,
    Uses,
    Subscribe,
    Matches,
}

impl RelationKind {
    pub fn keyword(self) -> &'static str {
        match self {
            RelationKind::Calls => "calls",
            RelationKind::Publishes => "publishes",
            RelationKind::Consumes => "consumes",
            RelationKind::Uses => "uses",
            RelationKind::Subscribe => "subscribe",
            RelationKind::Matches => "matches",
        }
    }
}

/// `calls payment { ... }`, `consumes [A, B] where x = 1 via q`,
/// `uses orders (read_write)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    pub kind: RelationKind,
    pub keyword_span: Span,
    pub targets: Vec<Path>,
    /// Whether the targets were written as a bracketed list.
    pub bracketed: bool,
    pub access: Option<Ident>,
    pub filter: Option<Filter>,
    pub via: Option<Path>,
    pub body: Option<Vec<Member>>,
    pub span: Span,
}

/// `where a = 1 and b exists`.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub conditions: Vec<Condition>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub field: Path,
    pub op: CompareOp,
    pub op_span: Span,
    /// Absent for `exists` and `not exists`.
    pub value: Option<Value>,
    pub span: Span,
}

/// The other end of a network rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Peer {
    /// `10.0.0.0/16` or a single address `10.0.0.5`.
    Cidr(String),
    /// `anywhere`: 0.0.0.0/0.
    Anywhere,
    /// A component by name.
    Name(Path),
}

/// `allow in tcp 8443 from order`.
#[derive(Clone, Debug, PartialEq)]
pub struct NetRule {
    pub action: RuleAction,
    pub action_span: Span,
    pub direction: Direction,
    pub protocol: Protocol,
    /// The port or range as written (`8443`, `1024-65535`), if any.
    pub ports: Option<Value>,
    pub peer: Peer,
    pub peer_span: Span,
    pub span: Span,
}

/// `schema { field: type ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub keyword_span: Span,
    pub fields: Vec<Field>,
    pub span: Span,
}

/// `orderId: string`, `note?: string`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub doc: Vec<DocLine>,
    pub name: Ident,
    pub optional: bool,
    pub ty: TypeExpr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub kind: TypeExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeExprKind {
    /// `string`, `int`, ...
    Named(Ident),
    /// `"pending"`, one member of a string-literal union.
    Literal(String),
    /// `[T]`.
    List(Box<TypeExpr>),
    /// `{ a: T, b: U }`.
    Object(Vec<Field>),
    /// `A | B | C`.
    Union(Vec<TypeExpr>),
}

/// A value on the right of `=`.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// A number with an optional unit, as written: `3`, `0.5`, `30s`,
    /// `256MB`, `50%`, `-5MB`. `number` keeps `_` separators.
    Quantity {
        number: String,
        unit: Option<String>,
    },
    /// `$1500`: the number after the dollar sign, as written.
    Money(String),
    String(String),
    Bool(bool),
    /// `10.0.0.0/16`.
    Cidr(String),
    /// `10.0.0.5`.
    Ip(String),
    /// `1024-65535`.
    PortRange(String),
    /// A name or dotted path: `public`, `commerce`, `inventory.reserve`.
    Path(Path),
    List(Vec<Value>),
    Object(Vec<Entry>),
    /// `fargate { cpu = 1 }`.
    Constructor {
        name: Ident,
        entries: Vec<Entry>,
    },
    /// `orderId: string`.
    Typed {
        name: Ident,
        ty: TypeExpr,
    },
    /// Something that starts like a number but is none of the literal forms.
    Malformed(String),
}

/// `key = value` inside `{ }` of an object or constructor value.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Ident,
    /// Whether the key was written as a string (`"cost-center" = "x"`).
    pub quoted: bool,
    pub value: Value,
    pub span: Span,
}

//! Reading the settings of one block: a declaration body, a nested block,
//! or the `{ }` of an object or constructor value.
//!
//! The resolver asks for each setting it knows by key; whatever is left when
//! it is done was not asked for, and is reported as an unknown attribute or
//! block with the closest known key as a suggestion. The set of keys asked
//! for is thus the schema of the block, written once, in `resolve.rs`.

use crate::check::names::{duplicate_attribute, unknown_attribute};
use crate::diagnostics::{Diagnostic, Span};
use crate::suggest;
use crate::syntax::ast::{Block, DocLine, Entry, Filter, Ident, Item, Member, Value};

/// `key = value`, from an attribute or an object entry.
#[derive(Clone, Copy, Debug)]
pub(super) struct Setting<'a> {
    pub key: &'a Ident,
    pub value: &'a Value,
}

impl Setting<'_> {
    pub fn span(&self) -> Span {
        self.value.span
    }
}

#[derive(Debug)]
pub(super) struct Reader<'a> {
    /// "service `order`": where the settings stand, for messages.
    pub owner: String,
    pub owner_span: Span,
    settings: Vec<(Setting<'a>, bool)>,
    blocks: Vec<(&'a Block, bool)>,
    /// The doc comments of the blocks, which belong to their members.
    block_docs: Vec<(&'a Block, &'a [DocLine])>,
    known_settings: Vec<&'static str>,
    known_blocks: Vec<&'static str>,
    /// The `where` filters written after a setting's value, by key.
    filters: Vec<(&'a str, &'a Filter)>,
}

impl<'a> Reader<'a> {
    fn new(owner: String, owner_span: Span) -> Reader<'a> {
        Reader {
            owner,
            owner_span,
            settings: Vec::new(),
            blocks: Vec::new(),
            block_docs: Vec::new(),
            known_settings: Vec::new(),
            known_blocks: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// The attributes and blocks among `members`; relations, rules and
    /// schemas are left to the caller.
    pub fn members(owner: String, owner_span: Span, members: &'a [Member]) -> Reader<'a> {
        let mut reader = Reader::new(owner, owner_span);
        for member in members {
            match &member.item {
                Item::Attribute(attribute) => {
                    reader.settings.push((
                        Setting {
                            key: &attribute.key,
                            value: &attribute.value,
                        },
                        false,
                    ));
                    if let Some(filter) = &attribute.filter {
                        reader.filters.push((&attribute.key.text, filter));
                    }
                }
                Item::Block(block) => {
                    reader.blocks.push((block, false));
                    reader.block_docs.push((block, &member.doc));
                }
                Item::Relation(_) | Item::NetRule(_) | Item::Schema(_) => {}
            }
        }
        reader
    }

    pub fn entries(owner: String, owner_span: Span, entries: &'a [Entry]) -> Reader<'a> {
        let mut reader = Reader::new(owner, owner_span);
        reader.settings = entries
            .iter()
            .map(|entry| {
                (
                    Setting {
                        key: &entry.key,
                        value: &entry.value,
                    },
                    false,
                )
            })
            .collect();
        reader
    }

    /// The setting `key`, if present. A second setting of the same key is
    /// reported; the first one wins.
    pub fn take(
        &mut self,
        key: &'static str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<Setting<'a>> {
        if !self.known_settings.contains(&key) {
            self.known_settings.push(key);
        }
        let mut found: Option<Setting<'a>> = None;
        for (setting, used) in &mut self.settings {
            if setting.key.text != key {
                continue;
            }
            *used = true;
            match found {
                Some(first) => diagnostics.push(duplicate_attribute::diagnostic(
                    key,
                    first.key.span,
                    setting.key.span,
                )),
                None => found = Some(*setting),
            }
        }
        found
    }

    /// Every block introduced by `keyword`.
    pub fn blocks(&mut self, keyword: &'static str) -> Vec<&'a Block> {
        if !self.known_blocks.contains(&keyword) {
            self.known_blocks.push(keyword);
        }
        self.blocks
            .iter_mut()
            .filter(|(block, _)| block.keyword.text == keyword)
            .map(|(block, used)| {
                *used = true;
                *block
            })
            .collect()
    }

    /// The one block introduced by `keyword`; a second one is reported.
    pub fn block(
        &mut self,
        keyword: &'static str,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Option<&'a Block> {
        let blocks = self.blocks(keyword);
        let first = blocks.first().copied()?;
        for extra in blocks.iter().skip(1) {
            diagnostics.push(duplicate_attribute::diagnostic(
                keyword,
                first.keyword.span,
                extra.keyword.span,
            ));
        }
        Some(first)
    }

    /// The `///` lines above `block`.
    pub fn doc_of(&self, block: &Block) -> Vec<String> {
        self.block_docs
            .iter()
            .find(|(candidate, _)| std::ptr::eq(*candidate, block))
            .map(|(_, doc)| doc.iter().map(|line| line.text.clone()).collect())
            .unwrap_or_default()
    }

    /// Reports every setting and block that was not asked for.
    /// The `where` filter written after the setting `key`, if any (the
    /// grammar allows one only after a saga's `trigger`).
    pub fn filter(&self, key: &str) -> Option<&'a Filter> {
        self.filters
            .iter()
            .find(|(written, _)| *written == key)
            .map(|(_, filter)| *filter)
    }

    /// Whether a setting not read yet looks like `key` misspelt: a limit
    /// computed from `key`'s default would then report what the user never
    /// wrote, before the misspelling (M203) that is the cause.
    pub fn has_misspelling_of(&self, key: &str) -> bool {
        self.settings.iter().any(|(setting, used)| {
            !used && setting.key.text != key && suggest::closest(&setting.key.text, [key]).is_some()
        })
    }

    pub fn finish(self, diagnostics: &mut Vec<Diagnostic>) {
        let mut known: Vec<&str> = self.known_settings.clone();
        known.extend(self.known_blocks.iter().copied());
        for (setting, used) in &self.settings {
            if !used {
                let suggestion = suggest::closest(&setting.key.text, known.iter().copied());
                diagnostics.push(unknown_attribute::diagnostic(
                    "attribute",
                    &setting.key.text,
                    setting.key.span,
                    &self.owner,
                    suggestion,
                    &self.known_settings,
                ));
            }
        }
        for (block, used) in &self.blocks {
            if !used {
                let suggestion = suggest::closest(&block.keyword.text, known.iter().copied());
                let listing: Vec<&str> = if self.known_blocks.is_empty() {
                    self.known_settings.clone()
                } else {
                    self.known_blocks.clone()
                };
                diagnostics.push(unknown_attribute::diagnostic(
                    "block",
                    &block.keyword.text,
                    block.keyword.span,
                    &self.owner,
                    suggestion,
                    &listing,
                ));
            }
        }
    }
}

//! Stage 4, checks — and the registry of every diagnostic code.
//!
//! Every code meshc can emit is declared in a file of its own under this
//! module, grouped in folders by family (`internal/` M0xx, `syntax/` M1xx,
//! `names/` M2xx, ...).
//! The file holds the code's documentation (which `meshc explain` prints),
//! and the constructor of its diagnostic, so that its wording lives in one
//! place. Codes found while parsing (M1xx) or resolving (most of M2xx) are
//! constructed by `syntax` and `model`, which call into these files; the rest
//! are rules run over the resolved `System`.
//!
//! Codes never move and are never reused; a retired code keeps its file and
//! says that it is no longer emitted.

use crate::diagnostics::Code;

/// Declares a diagnostic code: a unit struct whose `CODE` constant carries
/// the code, its slug, its severity and its explanation (the doc comment,
/// which must have the sections What it does / Why is this bad? / Example /
/// Use instead).
macro_rules! declare_code {
    (
        $(#[doc = $doc:literal])*
        $name:ident, code = $code:ident, slug = $slug:literal, severity = $severity:ident $(,)?
    ) => {
        $(#[doc = $doc])*
        #[allow(clippy::doc_markdown)] // The doc is prose for `meshc explain`.
        #[derive(Debug)]
        pub struct $name;

        impl $name {
            pub const CODE: $crate::diagnostics::Code = $crate::diagnostics::Code {
                code: stringify!($code),
                slug: $slug,
                severity: $crate::diagnostics::Severity::$severity,
                explanation: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// Declares a check rule: a code (as `declare_code!`) whose struct is run
/// over every resolved system by `run`.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        $name:ident, code = $code:ident, slug = $slug:literal, severity = $severity:ident $(,)?
    ) => {
        declare_code! {
            $(#[doc = $doc])*
            $name, code = $code, slug = $slug, severity = $severity,
        }

        impl $crate::check::Declared for $name {
            fn code(&self) -> &'static $crate::diagnostics::Code {
                &Self::CODE
            }
        }
    };
}

pub mod cost;
pub mod internal;
pub mod messaging;
pub mod names;
pub mod network;
pub mod sagas;
mod suppress;
pub mod syntax;

pub use suppress::{Suppressions, suppress};

use crate::diagnostics::Diagnostic;
use crate::graph::Graph;
use crate::model::System;

/// What a rule reads: the resolved system and its graph, never the AST.
#[derive(Debug)]
pub struct Context<'a> {
    pub system: &'a System,
    pub graph: &'a Graph,
}

/// The code a rule reports; implemented by `declare_rule!`.
pub trait Declared {
    fn code(&self) -> &'static Code;
}

/// A check over a resolved system.
pub trait Rule: Declared + Sync {
    fn check(&self, context: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &names::sync_call_cycle::SyncCallCycle,
    &names::caller_timeout_too_short::CallerTimeoutTooShort,
    &names::missing_port::MissingPort,
    &names::unusable_via::UnusableVia,
    &names::unused_declaration::UnusedDeclaration,
    &names::api_without_permission::ApiWithoutPermission,
    &names::hand_written_iam::HandWrittenIam,
    &names::invalid_environment_variable::InvalidEnvironmentVariable,
    &names::role_policy_too_large::RolePolicyTooLarge,
    &names::too_many_security_group_rules::TooManySecurityGroupRules,
    &names::too_many_nacl_rules::TooManyNaclRules,
    &names::lambda_environment_too_large::LambdaEnvironmentTooLarge,
    &names::event_pattern_too_large::EventPatternTooLarge,
    &names::filter_policy_over_quota::FilterPolicyOverQuota,
    &names::resource_policy_too_large::ResourcePolicyTooLarge,
    &names::network_over_quota::NetworkOverQuota,
    &names::load_balancer_over_quota::LoadBalancerOverQuota,
    &names::account_quota_exceeded::AccountQuotaExceeded,
    &network::runtime_in_public_subnet::RuntimeInPublicSubnet,
    &network::datastore_outside_isolated_tier::DatastoreOutsideIsolatedTier,
    &network::aws_api_unreachable::AwsApiUnreachable,
    &network::firewall_missing_flow::FirewallMissingFlow,
    &network::firewall_unneeded_rule::FirewallUnneededRule,
    &network::open_to_the_world::OpenToTheWorld,
    &network::nacl_blocks_flow::NaclBlocksFlow,
    &network::shadowed_nacl_rule::ShadowedNaclRule,
    &network::overlapping_cidrs::OverlappingCidrs,
    &network::cidr_outside_network::CidrOutsideNetwork,
    &network::address_space_exhausted::AddressSpaceExhausted,
    &network::nat_without_public_subnet::NatWithoutPublicSubnet,
    &network::public_exposure_without_public_subnet::PublicExposureWithoutPublicSubnet,
    &network::listener_without_tls::ListenerWithoutTls,
    &network::nacl_unneeded_rule::NaclUnneededRule,
    &network::store_outside_reach::StoreOutsideReach,
    &network::call_outside_reach::CallOutsideReach,
    &network::firewall_rule_not_emitted::FirewallRuleNotEmitted,
    &network::egress_without_route::EgressWithoutRoute,
    &messaging::event_never_published::EventNeverPublished,
    &messaging::event_never_consumed::EventNeverConsumed,
    &messaging::event_received_twice::EventReceivedTwice,
    &messaging::filter_outside_schema::FilterOutsideSchema,
    &messaging::visibility_timeout_too_short::VisibilityTimeoutTooShort,
    &messaging::queue_without_dlq::QueueWithoutDlq,
    &messaging::dlq_retention_too_short::DlqRetentionTooShort,
    &messaging::fifo_mismatch::FifoMismatch,
    &messaging::too_many_rule_targets::TooManyRuleTargets,
    &messaging::filter_not_expressible::FilterNotExpressible,
    &messaging::queue_never_fed::QueueNeverFed,
    &messaging::topic_mixes_events::TopicMixesEvents,
    &messaging::filter_not_an_attribute::FilterNotAnAttribute,
    &messaging::filters_not_joinable::FiltersNotJoinable,
    &sagas::unknown_operation::UnknownOperation,
    &sagas::step_without_undo::StepWithoutUndo,
    &sagas::saga_timeout_too_short::SagaTimeoutTooShort,
    &sagas::trigger_never_published::TriggerNeverPublished,
    &sagas::duplicate_pivot::DuplicatePivot,
    &sagas::trigger_not_on_a_bus::TriggerNotOnABus,
    &sagas::saga_retriggers_itself::SagaRetriggersItself,
    &cost::budget_exceeded::BudgetExceeded,
    &cost::gateway_service_through_nat::GatewayServiceThroughNat,
    &cost::nat_per_zone::NatPerZone,
    &cost::idle_interface_endpoint::IdleInterfaceEndpoint,
    &cost::unused_nat::UnusedNat,
];

/// Runs every rule over a resolved system.
pub fn run(system: &System, graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    let context = Context { system, graph };
    for rule in RULES {
        rule.check(&context, diagnostics);
    }
}

/// Every registered code, sorted by code.
pub static CODES: &[&Code] = &[
    &internal::internal_error::InternalError::CODE,
    &syntax::syntax_error::SyntaxError::CODE,
    &syntax::unknown_declaration_kind::UnknownDeclarationKind::CODE,
    &syntax::unclosed_block::UnclosedBlock::CODE,
    &syntax::unterminated_string::UnterminatedString::CODE,
    &syntax::unterminated_comment::UnterminatedComment::CODE,
    &syntax::malformed_literal::MalformedLiteral::CODE,
    &syntax::duplicate_clause::DuplicateClause::CODE,
    &syntax::suppression_without_reason::SuppressionWithoutReason::CODE,
    &syntax::unused_suppression::UnusedSuppression::CODE,
    &syntax::nesting_too_deep::NestingTooDeep::CODE,
    &syntax::invalid_encoding::InvalidEncoding::CODE,
    &names::unknown_name::UnknownName::CODE,
    &names::duplicate_name::DuplicateName::CODE,
    &names::unknown_attribute::UnknownAttribute::CODE,
    &names::missing_attribute::MissingAttribute::CODE,
    &names::type_mismatch::TypeMismatch::CODE,
    &names::unknown_unit::UnknownUnit::CODE,
    &names::invalid_value::InvalidValue::CODE,
    &names::value_out_of_range::ValueOutOfRange::CODE,
    &names::aws_limit::AwsLimit::CODE,
    &names::invalid_fargate_size::InvalidFargateSize::CODE,
    &names::wrong_kind::WrongKind::CODE,
    &names::duplicate_attribute::DuplicateAttribute::CODE,
    &names::system_declaration::SystemDeclaration::CODE,
    &names::firewall_deny::FirewallDeny::CODE,
    &names::conflicting_attributes::ConflictingAttributes::CODE,
    &names::sync_call_cycle::SyncCallCycle::CODE,
    &names::caller_timeout_too_short::CallerTimeoutTooShort::CODE,
    &names::missing_port::MissingPort::CODE,
    &names::unusable_via::UnusableVia::CODE,
    &names::unused_declaration::UnusedDeclaration::CODE,
    &names::api_without_permission::ApiWithoutPermission::CODE,
    &names::hand_written_iam::HandWrittenIam::CODE,
    &names::invalid_environment_variable::InvalidEnvironmentVariable::CODE,
    &names::duration_rounded::DurationRounded::CODE,
    &names::name_too_long::NameTooLong::CODE,
    &names::template_too_large::TemplateTooLarge::CODE,
    &names::logical_id_collision::LogicalIdCollision::CODE,
    &names::role_policy_too_large::RolePolicyTooLarge::CODE,
    &names::too_many_security_group_rules::TooManySecurityGroupRules::CODE,
    &names::too_many_nacl_rules::TooManyNaclRules::CODE,
    &names::lambda_environment_too_large::LambdaEnvironmentTooLarge::CODE,
    &names::event_pattern_too_large::EventPatternTooLarge::CODE,
    &names::filter_policy_over_quota::FilterPolicyOverQuota::CODE,
    &names::resource_policy_too_large::ResourcePolicyTooLarge::CODE,
    &names::network_over_quota::NetworkOverQuota::CODE,
    &names::load_balancer_over_quota::LoadBalancerOverQuota::CODE,
    &names::account_quota_exceeded::AccountQuotaExceeded::CODE,
    &network::runtime_in_public_subnet::RuntimeInPublicSubnet::CODE,
    &network::datastore_outside_isolated_tier::DatastoreOutsideIsolatedTier::CODE,
    &network::aws_api_unreachable::AwsApiUnreachable::CODE,
    &network::firewall_missing_flow::FirewallMissingFlow::CODE,
    &network::firewall_unneeded_rule::FirewallUnneededRule::CODE,
    &network::open_to_the_world::OpenToTheWorld::CODE,
    &network::nacl_blocks_flow::NaclBlocksFlow::CODE,
    &network::shadowed_nacl_rule::ShadowedNaclRule::CODE,
    &network::overlapping_cidrs::OverlappingCidrs::CODE,
    &network::cidr_outside_network::CidrOutsideNetwork::CODE,
    &network::address_space_exhausted::AddressSpaceExhausted::CODE,
    &network::nat_without_public_subnet::NatWithoutPublicSubnet::CODE,
    &network::public_exposure_without_public_subnet::PublicExposureWithoutPublicSubnet::CODE,
    &network::listener_without_tls::ListenerWithoutTls::CODE,
    &network::nacl_unneeded_rule::NaclUnneededRule::CODE,
    &network::store_outside_reach::StoreOutsideReach::CODE,
    &network::call_outside_reach::CallOutsideReach::CODE,
    &network::firewall_rule_not_emitted::FirewallRuleNotEmitted::CODE,
    &network::egress_without_route::EgressWithoutRoute::CODE,
    &messaging::event_never_published::EventNeverPublished::CODE,
    &messaging::event_never_consumed::EventNeverConsumed::CODE,
    &messaging::filter_outside_schema::FilterOutsideSchema::CODE,
    &messaging::visibility_timeout_too_short::VisibilityTimeoutTooShort::CODE,
    &messaging::queue_without_dlq::QueueWithoutDlq::CODE,
    &messaging::dlq_retention_too_short::DlqRetentionTooShort::CODE,
    &messaging::fifo_mismatch::FifoMismatch::CODE,
    &messaging::too_many_rule_targets::TooManyRuleTargets::CODE,
    &messaging::filter_not_expressible::FilterNotExpressible::CODE,
    &messaging::queue_never_fed::QueueNeverFed::CODE,
    &messaging::event_received_twice::EventReceivedTwice::CODE,
    &messaging::topic_mixes_events::TopicMixesEvents::CODE,
    &messaging::filter_not_an_attribute::FilterNotAnAttribute::CODE,
    &messaging::filters_not_joinable::FiltersNotJoinable::CODE,
    &sagas::unknown_operation::UnknownOperation::CODE,
    &sagas::step_without_undo::StepWithoutUndo::CODE,
    &sagas::saga_timeout_too_short::SagaTimeoutTooShort::CODE,
    &sagas::trigger_never_published::TriggerNeverPublished::CODE,
    &sagas::duplicate_pivot::DuplicatePivot::CODE,
    &sagas::trigger_not_on_a_bus::TriggerNotOnABus::CODE,
    &sagas::saga_retriggers_itself::SagaRetriggersItself::CODE,
    &cost::budget_exceeded::BudgetExceeded::CODE,
    &cost::gateway_service_through_nat::GatewayServiceThroughNat::CODE,
    &cost::nat_per_zone::NatPerZone::CODE,
    &cost::idle_interface_endpoint::IdleInterfaceEndpoint::CODE,
    &cost::unused_nat::UnusedNat::CODE,
];

/// Finds a code by its code (`M201`, case-insensitive) or its slug
/// (`unknown-name`).
pub fn lookup(query: &str) -> Option<&'static Code> {
    let query = query.trim();
    CODES
        .iter()
        .copied()
        .find(|code| code.code.eq_ignore_ascii_case(query) || code.slug == query)
}

/// The explanation as `meshc explain` prints it: the doc comment with the
/// leading space of each line removed.
pub fn explanation(code: &Code) -> String {
    let mut text = String::new();
    for line in code.explanation.lines() {
        text.push_str(line.strip_prefix(' ').unwrap_or(line));
        text.push('\n');
    }
    text
}

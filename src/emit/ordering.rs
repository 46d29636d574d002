//! Deploy order that no reference implies, decided once for both backends.
//!
//! Terraform and CloudFormation create a resource after everything it
//! refers to. Some resources need more than what they refer to to exist
//! when AWS creates them; each rule below names what, and why AWS needs it.
//! A backend turns each [`Prerequisite`] into its own `depends_on` or
//! `DependsOn`.
//!
//! 1. **An ECS service waits for the listeners and listener rules of the
//!    load balancers that send it traffic.** ECS refuses a service whose
//!    target group no listener uses ("The target group ... does not have an
//!    associated load balancer"), and a target group reached by a path is
//!    attached by its listener rule, which the service does not refer to.
//!    <https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ecs-service.html>
//!    (`LoadBalancers`: "a dependency on the listener").
//! 2. **A resource that assumes a role waits for the role's permissions:**
//!    its inline policy and the managed policies attached to it, which refer
//!    to the role, not the other way round. AWS checks them when it creates
//!    the resource or starts using the role at once: a Lambda function in a
//!    VPC (`CreateNetworkInterface`), an RDS instance with enhanced
//!    monitoring ("IAM role ARN value is invalid or does not include the
//!    required permissions for: `ENHANCED_MONITORING`"), a state machine that
//!    logs (the log delivery permissions), an ECS service whose tasks pull
//!    their image and write their logs with the execution role as soon as
//!    they start, a flow log and a rule target that deliver at once.
//!    <https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html>
//!    ("IAM role policy" case).

use crate::emit::Context;
use crate::graph::LoadBalancerRef;
use crate::graph::iam::Principal;
use crate::model::ServiceId;

/// Something a resource waits for that it does not refer to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Prerequisite {
    /// A listener of a load balancer, on a port.
    Listener {
        balancer: LoadBalancerRef,
        port: u16,
    },
    /// The listener rule that forwards a path to a service's target group.
    ListenerRule {
        balancer: LoadBalancerRef,
        service: ServiceId,
    },
    /// The permissions of a role: its inline policy, if it has grants, and
    /// the managed policies attached to it.
    RolePermissions(Principal),
}

/// What an ECS service waits for (rules 1 and 2): the listeners and path
/// rules of the load balancers that target it, and the permissions of its
/// task role and of its task execution role.
pub(crate) fn ecs_service(context: &Context<'_>, service: ServiceId) -> Vec<Prerequisite> {
    let mut prerequisites = Vec::new();
    for balancer in &context.graph.network.load_balancers {
        for target in balancer
            .targets
            .iter()
            .filter(|target| target.service == service)
        {
            prerequisites.extend(balancer.listeners.iter().map(|listener| {
                Prerequisite::Listener {
                    balancer: balancer.id,
                    port: listener.port,
                }
            }));
            if target.path.is_some() {
                prerequisites.push(Prerequisite::ListenerRule {
                    balancer: balancer.id,
                    service,
                });
            }
        }
    }
    prerequisites.push(Prerequisite::RolePermissions(Principal::TaskExecution(
        service,
    )));
    prerequisites.push(Prerequisite::RolePermissions(Principal::Service(service)));
    prerequisites.sort();
    prerequisites.dedup();
    prerequisites
}

/// What a resource that assumes `principal`'s role waits for (rule 2).
pub(crate) fn assumes(principal: Principal) -> Prerequisite {
    Prerequisite::RolePermissions(principal)
}

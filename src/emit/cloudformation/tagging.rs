//! Which CloudFormation resource types take `Tags` (a list of `Key`/`Value`
//! pairs), for the system's tags on every resource the template declares.
//! Read from the CloudFormation registry schemas (each type's `tagging.taggable`
//! and its `Tags` property), as cfn-lint ships them:
//! <https://docs.aws.amazon.com/cloudformation-cli/latest/userguide/resource-type-schema.html#schema-properties-tagging>.
//! Every type the backend emits has a row; `tests/deploy.rs` checks that.

/// Each type the backend emits, and whether it takes `Tags`.
pub const TAGGABLE: [(&str, bool); 66] = [
    ("AWS::DynamoDB::Table", true),
    ("AWS::EC2::EIP", true),
    ("AWS::EC2::FlowLog", true),
    ("AWS::EC2::InternetGateway", true),
    ("AWS::EC2::NatGateway", true),
    ("AWS::EC2::NetworkAcl", true),
    ("AWS::EC2::NetworkAclEntry", false),
    ("AWS::EC2::Route", false),
    ("AWS::EC2::RouteTable", true),
    ("AWS::EC2::SecurityGroup", true),
    ("AWS::EC2::SecurityGroupEgress", false),
    ("AWS::EC2::SecurityGroupIngress", false),
    ("AWS::EC2::Subnet", true),
    ("AWS::EC2::SubnetNetworkAclAssociation", false),
    ("AWS::EC2::SubnetRouteTableAssociation", false),
    ("AWS::EC2::VPC", true),
    ("AWS::EC2::VPCEndpoint", true),
    ("AWS::EC2::VPCEndpointService", true),
    ("AWS::EC2::VPCEndpointServicePermissions", false),
    ("AWS::EC2::VPCGatewayAttachment", false),
    ("AWS::ECR::Repository", true),
    ("AWS::ECS::Cluster", true),
    ("AWS::ECS::Service", true),
    ("AWS::ECS::TaskDefinition", true),
    ("AWS::ElasticLoadBalancingV2::Listener", true),
    ("AWS::ElasticLoadBalancingV2::ListenerRule", true),
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", true),
    ("AWS::ElasticLoadBalancingV2::TargetGroup", true),
    ("AWS::EventSchemas::Registry", true),
    ("AWS::EventSchemas::Schema", true),
    ("AWS::Events::Archive", false),
    ("AWS::Events::EventBus", true),
    ("AWS::Events::Rule", true),
    ("AWS::IAM::Role", true),
    ("AWS::IAM::RolePolicy", false),
    ("AWS::KMS::Alias", false),
    ("AWS::KMS::Key", true),
    ("AWS::Kinesis::Stream", true),
    ("AWS::Kinesis::StreamConsumer", true),
    ("AWS::Lambda::CodeSigningConfig", true),
    ("AWS::Lambda::EventSourceMapping", true),
    ("AWS::Lambda::Function", true),
    ("AWS::Lambda::Permission", false),
    ("AWS::Logs::LogGroup", true),
    ("AWS::RDS::DBInstance", true),
    ("AWS::RDS::DBParameterGroup", true),
    ("AWS::RDS::DBSubnetGroup", true),
    ("AWS::RDS::DBCluster", true),
    ("AWS::RDS::DBClusterParameterGroup", true),
    ("AWS::S3::Bucket", true),
    ("AWS::S3::BucketPolicy", false),
    ("AWS::SNS::Subscription", false),
    // Tags of a parameter are an object, not a list of pairs: tagged only
    // by Terraform's `default_tags`.
    ("AWS::SSM::Parameter", false),
    ("AWS::SecretsManager::Secret", true),
    ("AWS::SNS::Topic", true),
    ("AWS::CloudWatch::Alarm", true),
    ("AWS::SNS::TopicPolicy", false),
    ("AWS::SQS::Queue", true),
    ("AWS::SQS::QueuePolicy", false),
    ("AWS::ServiceDiscovery::PrivateDnsNamespace", true),
    ("AWS::ServiceDiscovery::Service", true),
    ("AWS::Signer::SigningProfile", true),
    ("AWS::StepFunctions::StateMachine", true),
    ("AWS::WAFv2::LoggingConfiguration", false),
    ("AWS::WAFv2::WebACL", true),
    ("AWS::WAFv2::WebACLAssociation", false),
];

/// Whether a resource type takes `Tags`; `None` for a type with no row.
pub fn taggable(kind: &str) -> Option<bool> {
    TAGGABLE
        .iter()
        .find(|(known, _)| *known == kind)
        .map(|(_, taggable)| *taggable)
}

/// Adds `tags` to a resource's `Tags`, after the ones it has (its `Name`),
/// when its type takes them; a key the resource already sets is kept.
pub(crate) fn add_tags(kind: &str, properties: &mut serde_json::Value, tags: &[(String, String)]) {
    if taggable(kind) != Some(true) || tags.is_empty() {
        return;
    }
    let Some(object) = properties.as_object_mut() else {
        return;
    };
    let entry = object
        .entry("Tags")
        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
    let Some(list) = entry.as_array_mut() else {
        return;
    };
    for (key, value) in tags {
        if !list.iter().any(|tag| tag["Key"] == key.as_str()) {
            list.push(serde_json::json!({ "Key": key, "Value": value }));
        }
    }
}

"""moto's server, with the CloudFormation resource types it lacks.

    moto_server.py -H 127.0.0.1 -p PORT

moto (the version pinned in requirements.txt) implements the AWS APIs behind
many resource types that its CloudFormation does not know: it skips those
silently, and a `Ref` to one of them resolves to nothing. This module gives
such types a CloudFormation model that creates the resource through moto's
own backend, the one its API uses, so the resource exists, its references
resolve to real identifiers, and moto's own checks apply (the IAM policy
validator for inline policies, the existing role, queue, topic, bucket,
security group, network ACL, load balancer or namespace). It also fills two
attributes and one name moto's existing models lack, and passes the tags of
a KMS key in the shape moto's tagger reads. Each addition names
what moto lacks; none makes a resource pass that the backend would refuse.

What is still skipped (types no moto backend implements) is listed by
deploy.py for every template.
"""

import json
import sys

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends
from moto.ec2.models.vpcs import VPCEndPoint
from moto.elbv2.models import FakeLoadBalancer, elbv2_backends
from moto.iam.models import iam_backends
from moto.kms.models import Key
from moto.rds.models import DBInstance, DBParameterGroup, MasterUserSecret
from moto.s3.models import s3_backends
from moto.server import main
from moto.servicediscovery.models import servicediscovery_backends
from moto.signer.models import signer_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from moto.wafv2.models import wafv2_backends


# moto files every model under the service named by its module's second
# dotted part; these additions are filed under "cloudformation".
MODULE = "moto.cloudformation.additions"


class Created:
    """A resource created through a moto backend: its `Ref` value and the
    attributes `Fn::GetAtt` may read."""

    TYPE = ""
    ATTRIBUTES: tuple = ()

    @classmethod
    def cloudformation_type(cls):
        return cls.TYPE

    def __init__(self, physical_id, attributes=None):
        self.physical_id = physical_id
        self.attributes = attributes or {}

    @property
    def physical_resource_id(self):
        return self.physical_id

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name):
        if attribute_name in self.attributes:
            return self.attributes[attribute_name]
        raise UnformattedGetAttTemplateException()

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        return cls.create(cloudformation_json.get("Properties", {}), account_id, region_name)


def ec2(account_id, region_name):
    return ec2_backends[account_id][region_name]


def document(value):
    return value if isinstance(value, str) else json.dumps(value)


class NetworkAcl(Created, CloudFormationModel):
    """moto lacks AWS::EC2::NetworkAcl in CloudFormation; its API has it."""

    __module__ = MODULE
    TYPE = "AWS::EC2::NetworkAcl"

    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, properties, account_id, region_name):
        acl = ec2(account_id, region_name).create_network_acl(
            properties["VpcId"], tags=properties.get("Tags")
        )
        return cls(acl.id, {"Id": acl.id})


class NetworkAclEntry(Created, CloudFormationModel):
    """moto lacks AWS::EC2::NetworkAclEntry; its API refuses a second entry
    with the same number and direction, which this keeps."""

    __module__ = MODULE
    TYPE = "AWS::EC2::NetworkAclEntry"

    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, properties, account_id, region_name):
        ports = properties.get("PortRange") or {}
        icmp = properties.get("Icmp") or {}
        egress = bool(properties.get("Egress", False))
        number = int(properties["RuleNumber"])
        ec2(account_id, region_name).create_network_acl_entry(
            properties["NetworkAclId"],
            number,
            str(properties["Protocol"]),
            properties["RuleAction"],
            egress,
            properties.get("CidrBlock"),
            icmp.get("Code"),
            icmp.get("Type"),
            ports.get("From"),
            ports.get("To"),
            properties.get("Ipv6CidrBlock"),
        )
        entry = f"{properties['NetworkAclId']}|{number}|{'egress' if egress else 'ingress'}"
        return cls(entry, {"Id": entry})


class SubnetNetworkAclAssociation(Created, CloudFormationModel):
    """moto lacks AWS::EC2::SubnetNetworkAclAssociation; this replaces the
    subnet's association with the VPC's default ACL, as its API does."""

    __module__ = MODULE
    TYPE = "AWS::EC2::SubnetNetworkAclAssociation"

    ATTRIBUTES = ("AssociationId",)

    @classmethod
    def create(cls, properties, account_id, region_name):
        backend = ec2(account_id, region_name)
        subnet = properties["SubnetId"]
        current = next(
            association_id
            for acl in backend.network_acls.values()
            for association_id, association in acl._associations.items()
            if association.subnet_id == subnet
        )
        association = backend.replace_network_acl_association(
            current, properties["NetworkAclId"]
        )
        return cls(association.id, {"AssociationId": association.id})


class SecurityGroupEgress(Created, CloudFormationModel):
    """moto has AWS::EC2::SecurityGroupIngress but not the egress twin; its
    API authorizes egress rules against an existing group."""

    __module__ = MODULE
    TYPE = "AWS::EC2::SecurityGroupEgress"

    ATTRIBUTES = ("Id",)

    @classmethod
    def create(cls, properties, account_id, region_name):
        ranges = []
        if "CidrIp" in properties:
            ranges.append({"CidrIp": properties["CidrIp"]})
        groups = []
        if "DestinationSecurityGroupId" in properties:
            groups.append({"GroupId": properties["DestinationSecurityGroupId"]})
        prefix_lists = []
        if "DestinationPrefixListId" in properties:
            prefix_lists.append({"PrefixListId": properties["DestinationPrefixListId"]})
        rules, _ = ec2(account_id, region_name).authorize_security_group_egress(
            properties["GroupId"],
            str(properties["IpProtocol"]),
            str(properties.get("FromPort", -1)),
            str(properties.get("ToPort", -1)),
            ranges,
            source_groups=groups,
            prefix_list_ids=prefix_lists,
        )
        rule = rules[0].id
        return cls(rule, {"Id": rule})


class VPCEndpointService(Created, CloudFormationModel):
    """moto lacks AWS::EC2::VPCEndpointService; its API resolves the load
    balancers it fronts."""

    __module__ = MODULE
    TYPE = "AWS::EC2::VPCEndpointService"

    ATTRIBUTES = ("ServiceId",)

    @classmethod
    def create(cls, properties, account_id, region_name):
        config = ec2(account_id, region_name).create_vpc_endpoint_service_configuration(
            properties.get("NetworkLoadBalancerArns", [])
            + properties.get("GatewayLoadBalancerArns", []),
            bool(properties.get("AcceptanceRequired", False)),
            None,
            [],
            [],
        )
        return cls(config.id, {"ServiceId": config.id})


class VPCEndpointServicePermissions(Created, CloudFormationModel):
    """moto lacks AWS::EC2::VPCEndpointServicePermissions; its API finds the
    endpoint service by id."""

    __module__ = MODULE
    TYPE = "AWS::EC2::VPCEndpointServicePermissions"

    @classmethod
    def create(cls, properties, account_id, region_name):
        service = properties["ServiceId"]
        ec2(account_id, region_name).modify_vpc_endpoint_service_permissions(
            service, properties.get("AllowedPrincipals", []), []
        )
        return cls(f"{service}-permissions")


class RolePolicy(Created, CloudFormationModel):
    """moto lacks AWS::IAM::RolePolicy; its API validates the policy
    document and finds the role."""

    __module__ = MODULE
    TYPE = "AWS::IAM::RolePolicy"

    @classmethod
    def create(cls, properties, account_id, region_name):
        iam_backends[account_id]["aws"].put_role_policy(
            properties["RoleName"],
            properties["PolicyName"],
            document(properties["PolicyDocument"]),
        )
        return cls(f"{properties['RoleName']}|{properties['PolicyName']}")


class BucketPolicy(Created, CloudFormationModel):
    """moto lacks AWS::S3::BucketPolicy; its API finds the bucket."""

    __module__ = MODULE
    TYPE = "AWS::S3::BucketPolicy"

    @classmethod
    def create(cls, properties, account_id, region_name):
        bucket = properties["Bucket"]
        s3_backends[account_id]["aws"].put_bucket_policy(
            bucket, document(properties["PolicyDocument"]).encode()
        )
        return cls(f"{bucket}-policy")


class QueuePolicy(Created, CloudFormationModel):
    """moto lacks AWS::SQS::QueuePolicy; its API sets the `Policy`
    attribute of each queue, which must exist."""

    __module__ = MODULE
    TYPE = "AWS::SQS::QueuePolicy"

    @classmethod
    def create(cls, properties, account_id, region_name):
        backend = sqs_backends[account_id][region_name]
        policy = document(properties["PolicyDocument"])
        for url in properties["Queues"]:
            backend.set_queue_attributes(url.rsplit("/", 1)[-1], {"Policy": policy})
        return cls(",".join(properties["Queues"]) + "-policy")


class TopicPolicy(Created, CloudFormationModel):
    """moto lacks AWS::SNS::TopicPolicy; its API sets the `Policy` attribute
    of each topic, which must exist."""

    __module__ = MODULE
    TYPE = "AWS::SNS::TopicPolicy"

    @classmethod
    def create(cls, properties, account_id, region_name):
        backend = sns_backends[account_id][region_name]
        policy = document(properties["PolicyDocument"])
        for topic in properties["Topics"]:
            backend.set_topic_attribute(topic, "Policy", policy)
        return cls(",".join(properties["Topics"]) + "-policy")


class Subscription(Created, CloudFormationModel):
    """moto lacks AWS::SNS::Subscription in CloudFormation (it subscribes
    only through a topic's inline `Subscription` list); its API subscribes
    and validates the filter policy."""

    __module__ = MODULE
    TYPE = "AWS::SNS::Subscription"

    ATTRIBUTES = ("Arn",)
    SETTINGS = ("FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy")

    @classmethod
    def create(cls, properties, account_id, region_name):
        backend = sns_backends[account_id][region_name]
        subscription = backend.subscribe(
            properties["TopicArn"], properties["Endpoint"], properties["Protocol"]
        )
        for name in cls.SETTINGS:
            if name in properties:
                value = properties[name]
                if isinstance(value, bool):
                    value = "true" if value else "false"
                elif not isinstance(value, str):
                    value = json.dumps(value)
                backend.set_subscription_attributes(subscription.arn, name, value)
        return cls(subscription.arn, {"Arn": subscription.arn})


class WebACL(Created, CloudFormationModel):
    """moto lacks AWS::WAFv2::WebACL in CloudFormation; its API creates it
    (without evaluating the managed rule groups)."""

    __module__ = MODULE
    TYPE = "AWS::WAFv2::WebACL"

    ATTRIBUTES = ("Arn", "Id", "LabelNamespace", "Capacity")

    @classmethod
    def create(cls, properties, account_id, region_name):
        acl = wafv2_backends[account_id][region_name].create_web_acl(
            properties["Name"],
            properties["VisibilityConfig"],
            properties["DefaultAction"],
            properties["Scope"],
            properties.get("Description", ""),
            properties.get("Tags", []),
            properties.get("Rules", []),
            None,
            None,
            None,
            None,
            None,
        )
        return cls(
            f"{acl.name}|{acl.id}|{properties['Scope']}",
            {"Arn": acl.arn, "Id": acl.id, "LabelNamespace": "", "Capacity": 0},
        )


class WebACLAssociation(Created, CloudFormationModel):
    """moto lacks AWS::WAFv2::WebACLAssociation; its API finds the web ACL."""

    __module__ = MODULE
    TYPE = "AWS::WAFv2::WebACLAssociation"

    @classmethod
    def create(cls, properties, account_id, region_name):
        wafv2_backends[account_id][region_name].associate_web_acl(
            properties["WebACLArn"], properties["ResourceArn"]
        )
        return cls(f"{properties['WebACLArn']}|{properties['ResourceArn']}")


class LoggingConfiguration(Created, CloudFormationModel):
    """moto lacks AWS::WAFv2::LoggingConfiguration; its API finds the web
    ACL."""

    __module__ = MODULE
    TYPE = "AWS::WAFv2::LoggingConfiguration"

    @classmethod
    def create(cls, properties, account_id, region_name):
        wafv2_backends[account_id][region_name].put_logging_configuration(
            properties["ResourceArn"],
            properties["LogDestinationConfigs"],
            properties.get("RedactedFields"),
            False,
            properties.get("LoggingFilter") or {},
        )
        return cls(properties["ResourceArn"])


class PrivateDnsNamespace(Created, CloudFormationModel):
    """moto lacks AWS::ServiceDiscovery::PrivateDnsNamespace in
    CloudFormation; its API creates the namespace and its hosted zone, and
    refuses a second namespace in one VPC."""

    __module__ = MODULE
    TYPE = "AWS::ServiceDiscovery::PrivateDnsNamespace"

    ATTRIBUTES = ("Arn", "Id", "HostedZoneId")

    @classmethod
    def create(cls, properties, account_id, region_name):
        backend = servicediscovery_backends[account_id][region_name]
        before = set(backend.namespaces)
        backend.create_private_dns_namespace(
            properties["Name"],
            creator_request_id=None,
            description=properties.get("Description", ""),
            vpc=properties["Vpc"],
            tags=properties.get("Tags", []),
            properties=properties.get("Properties", {}),
        )
        (created,) = set(backend.namespaces) - before
        namespace = backend.namespaces[created]
        return cls(
            namespace.id,
            {
                "Arn": namespace.arn,
                "Id": namespace.id,
                "HostedZoneId": namespace.dns_properties.get("HostedZoneId"),
            },
        )


class DiscoveryService(Created, CloudFormationModel):
    """moto lacks AWS::ServiceDiscovery::Service in CloudFormation; its API
    creates the service in the namespace."""

    __module__ = MODULE
    TYPE = "AWS::ServiceDiscovery::Service"

    ATTRIBUTES = ("Arn", "Id", "Name")

    @classmethod
    def create(cls, properties, account_id, region_name):
        dns = properties.get("DnsConfig") or {}
        service = servicediscovery_backends[account_id][region_name].create_service(
            properties["Name"],
            properties.get("NamespaceId") or dns.get("NamespaceId"),
            None,
            properties.get("Description", ""),
            dns,
            properties.get("HealthCheckConfig"),
            properties.get("HealthCheckCustomConfig"),
            properties.get("Tags", []),
            properties.get("Type"),
        )
        return cls(service.id, {"Arn": service.arn, "Id": service.id, "Name": service.name})


class SigningProfile(Created, CloudFormationModel):
    """moto lacks AWS::Signer::SigningProfile in CloudFormation; its API
    creates the profile and its version."""

    __module__ = MODULE
    TYPE = "AWS::Signer::SigningProfile"

    ATTRIBUTES = ("Arn", "ProfileName", "ProfileVersion", "ProfileVersionArn")

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
        # CloudFormation names the profile from the logical id; moto's API
        # wants an alphanumeric name.
        name = properties.get("ProfileName") or "".join(
            c for c in kwargs.get("LogicalId", resource_name) if c.isalnum()
        )
        profile = signer_backends[account_id][region_name].put_signing_profile(
            name,
            properties.get("SignatureValidityPeriod"),
            properties["PlatformId"],
            None,
            {},
        )
        return cls(
            profile.arn,
            {
                "Arn": profile.arn,
                "ProfileName": profile.name,
                "ProfileVersion": profile.profile_version,
                "ProfileVersionArn": profile.profile_version_arn,
            },
        )


def endpoint_attribute(self, attribute_name):
    """moto's VPC endpoint has no `get_cfn_attribute` at all. The
    attributes are those CloudFormation documents; `DnsEntries` has AWS's
    `hosted-zone:dns-name` form."""
    if attribute_name == "Id":
        return self.id
    if attribute_name == "CreationTimestamp":
        return str(self.creation_timestamp)
    if attribute_name == "NetworkInterfaceIds":
        return list(self.network_interface_ids)
    if attribute_name == "DnsEntries":
        return [f"{entry['hosted_zone_id']}:{entry['dns_name']}" for entry in self.dns_entries or []]
    raise UnformattedGetAttTemplateException()


INSTANCE_FROM_TEMPLATE = DBInstance.create_from_cloudformation_json.__func__
INSTANCE_ATTRIBUTE = DBInstance.get_cfn_attribute


def create_instance(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """moto's CloudFormation ignores `ManageMasterUserPassword` (its API
    creates the secret in Secrets Manager): the secret is created as the API
    would, with the declared key."""
    database = INSTANCE_FROM_TEMPLATE(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    properties = cloudformation_json["Properties"]
    if properties.get("ManageMasterUserPassword"):
        key = (properties.get("MasterUserSecret") or {}).get("KmsKeyId")
        database.master_user_secret = MasterUserSecret(database, key)
        database.manage_master_user_password = True
    return database


def instance_attribute(self, attribute_name):
    """moto's database instance reads only `Endpoint.Address` and
    `Endpoint.Port`; the secret's ARN exists when the password is managed."""
    if attribute_name == "MasterUserSecret.SecretArn" and hasattr(self, "master_user_secret"):
        return self.master_user_secret.secret_arn
    if attribute_name == "DBInstanceArn":
        return self.db_instance_arn
    return INSTANCE_ATTRIBUTE(self, attribute_name)


def create_load_balancer(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """moto's CloudFormation creates every load balancer as an application
    load balancer (it ignores `Type`, `Tags` and `IpAddressType`), so a
    network load balancer's TCP listener is refused: this passes them."""
    properties = cloudformation_json["Properties"]
    return elbv2_backends[account_id][region_name].create_load_balancer(
        resource_name,
        properties.get("SecurityGroups"),
        properties.get("Subnets"),
        subnet_mappings=properties.get("SubnetMappings"),
        scheme=properties.get("Scheme", "internet-facing"),
        loadbalancer_type=properties.get("Type", "application"),
        ip_address_type=properties.get("IpAddressType", "ipv4"),
        tags=properties.get("Tags"),
    )


KEY_FROM_TEMPLATE = Key.create_from_cloudformation_json.__func__


def create_key(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    """moto's KMS model hands a key's CloudFormation `Tags` (`Key`/`Value`)
    to its tagger, which reads the API's `TagKey`/`TagValue` and fails with
    a KeyError: the tags are passed in the API's shape."""
    properties = dict(cloudformation_json.get("Properties") or {})
    properties["Tags"] = [
        {"TagKey": tag["Key"], "TagValue": tag["Value"]} for tag in properties.get("Tags", [])
    ]
    json_with_api_tags = dict(cloudformation_json, Properties=properties)
    return KEY_FROM_TEMPLATE(
        cls, resource_name, json_with_api_tags, account_id, region_name, **kwargs
    )


def patch():
    Key.create_from_cloudformation_json = classmethod(create_key)
    FakeLoadBalancer.create_from_cloudformation_json = classmethod(create_load_balancer)
    DBInstance.create_from_cloudformation_json = classmethod(create_instance)
    DBInstance.get_cfn_attribute = instance_attribute
    VPCEndPoint.get_cfn_attribute = endpoint_attribute
    VPCEndPoint.has_cfn_attr = classmethod(
        lambda cls, attr: attr in ("Id", "CreationTimestamp", "NetworkInterfaceIds", "DnsEntries")
    )
    # moto's parameter group ignores a declared `DBParameterGroupName` and
    # has no `Ref` value (it returns the object itself).
    DBParameterGroup.cloudformation_name_type = staticmethod(lambda: "DBParameterGroupName")
    DBParameterGroup.physical_resource_id = property(lambda self: self.name)
    # The model lists are cached on first use: drop them so that the types
    # above are found.
    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()


def added_types():
    """The CloudFormation types this module gives a model."""
    return sorted(cls.TYPE for cls in Created.__subclasses__())


if __name__ == "__main__":
    patch()
    main(sys.argv[1:])

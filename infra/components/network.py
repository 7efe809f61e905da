"""The VPC the cluster and its ECI pods live in: created, or brought by the stack.

Creates a VPC, one vSwitch per zone (plus optional pod vSwitches), a security group for ECI pods,
and internet egress for image pulls: an enhanced NAT gateway, an EIP and one SNAT entry per vSwitch
(https://help.aliyun.com/en/nat-gateway/). With ``vpc_id`` set it creates none of those and passes
the given ids through.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

import pulumi
import pulumi_alicloud as alicloud

from askflow.settings import Network


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    settings: Network
    """The stack's network settings."""
    tags: dict[str, str] = field(default_factory=dict)
    """Tags for every resource."""
    protect: bool = False
    """Pulumi `protect` on the VPC (prod)."""


class NetworkComponent(pulumi.ComponentResource):
    """VPC, vSwitches, security group and NAT egress (``askflow:network:Network``)."""

    vpc_id: pulumi.Output[str]
    vswitch_ids: pulumi.Output[list[str]]
    pod_vswitch_ids: pulumi.Output[list[str]]
    security_group_id: pulumi.Output[str]
    egress: list[pulumi.Resource]
    """What internet egress is ready after (the SNAT entries); empty when the stack creates none.
    Whatever pulls images from the internet (the Argo release, an ECI image cache) waits for it."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("askflow:network:Network", name, None, opts)
        s = args.settings
        child = pulumi.ResourceOptions(parent=self)
        self.egress = []
        if s.bring_your_own:
            self.vpc_id = pulumi.Output.from_input(s.vpc_id or "")
            self.vswitch_ids = pulumi.Output.from_input(list(s.vswitch_ids))
            self.pod_vswitch_ids = pulumi.Output.from_input(list(s.vswitch_ids))
            if s.security_group_id:
                self.security_group_id = pulumi.Output.from_input(s.security_group_id)
            else:
                self.security_group_id = self._security_group(name, self.vpc_id, args.tags, child)
        else:
            vpc = alicloud.vpc.Network(
                f"{name}-vpc",
                vpc_name=name,
                cidr_block=str(s.vpc_cidr),
                description=f"askflow {name}",
                tags=args.tags,
                opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
            )
            self.vpc_id = vpc.id
            def vswitches(kind: str, cidrs: tuple[ipaddress.IPv4Network, ...]) -> dict[str, alicloud.vpc.Switch]:
                # One per zone; "pod-vsw" marks the optional vSwitches reserved for ECI pods.
                return {
                    f"{name}-{kind}-{zone}": alicloud.vpc.Switch(
                        f"{name}-{kind}-{zone}",
                        vswitch_name=f"{name}-{'pods-' if kind == 'pod-vsw' else ''}{zone}",
                        vpc_id=vpc.id,
                        zone_id=zone,
                        cidr_block=str(cidr),
                        tags=args.tags,
                        opts=child,
                    )
                    for zone, cidr in zip(s.zones[: len(cidrs)], cidrs, strict=True)
                }

            switches = vswitches("vsw", s.vswitch_cidrs)
            pod_switches = vswitches("pod-vsw", s.pod_vswitch_cidrs)
            self.vswitch_ids = pulumi.Output.all(*[sw.id for sw in switches.values()]).apply(list)
            self.pod_vswitch_ids = (
                pulumi.Output.all(*[sw.id for sw in pod_switches.values()]).apply(list) if pod_switches else self.vswitch_ids
            )
            self.security_group_id = self._security_group(name, vpc.id, args.tags, child)
            if s.enable_nat_gateway:
                self.egress = self._egress(name, vpc, {**switches, **pod_switches}, s, args.tags, child)
        self.register_outputs({
            "vpcId": self.vpc_id,
            "vswitchIds": self.vswitch_ids,
            "podVswitchIds": self.pod_vswitch_ids,
            "securityGroupId": self.security_group_id,
        })

    @staticmethod
    def _security_group(
        name: str, vpc_id: pulumi.Input[str], tags: dict[str, str], opts: pulumi.ResourceOptions
    ) -> pulumi.Output[str]:
        # ECI pods get this group; no ingress rules: argo-server is reached through the cluster.
        sg = alicloud.ecs.SecurityGroup(
            f"{name}-eci-sg",
            security_group_name=f"{name}-eci",
            description="ECI pods of askflow (egress only)",
            vpc_id=vpc_id,
            security_group_type="normal",
            tags=tags,
            opts=opts,
        )
        return sg.id

    @staticmethod
    def _egress(
        name: str,
        vpc: alicloud.vpc.Network,
        switches: dict[str, alicloud.vpc.Switch],
        s: Network,
        tags: dict[str, str],
        opts: pulumi.ResourceOptions,
    ) -> list[pulumi.Resource]:
        nat = alicloud.vpc.NatGateway(
            f"{name}-nat",
            nat_gateway_name=name,
            vpc_id=vpc.id,
            vswitch_id=next(iter(switches.values())).id,
            nat_type="Enhanced",
            payment_type="PayAsYouGo",
            internet_charge_type="PayByLcu",
            tags=tags,
            opts=opts,
        )
        eip = alicloud.ecs.EipAddress(
            f"{name}-nat-eip",
            address_name=f"{name}-nat",
            bandwidth=str(s.eip_bandwidth_mbps),
            internet_charge_type="PayByTraffic",
            payment_type="PayAsYouGo",
            tags=tags,
            opts=opts,
        )
        assoc = alicloud.ecs.EipAssociation(
            f"{name}-nat-eip-assoc",
            allocation_id=eip.id,
            instance_id=nat.id,
            instance_type="Nat",
            opts=opts,
        )
        return [
            alicloud.vpc.SnatEntry(
                f"{sw_name}-snat",
                snat_table_id=nat.snat_table_ids,
                source_vswitch_id=sw.id,
                snat_ip=eip.ip_address,
                opts=pulumi.ResourceOptions(parent=opts.parent, depends_on=[assoc]),
            )
            for sw_name, sw in switches.items()
        ]

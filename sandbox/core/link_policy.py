"""Which hosts a media ``link`` may make the sandbox fetch (``SANDBOX_MEDIA_FETCH_LINKS``, docs/security.md).

Without a policy, anyone who can send through the sandbox can make it GET its own control API, other ports
on its machine or the cloud metadata address, read the bytes back through the inbox, and map the network
from the failure texts. The setting is a comma-separated list:

- ``off`` (or ``false``): keep the URL, fetch nothing (as ``false`` always did);
- ``public``: globally routable addresses; ``loopback``: 127.0.0.0/8 and ::1; ``private``: RFC 1918 and
  unique-local addresses (a Docker network: ``public,private``);
- an address or network (``10.1.0.0/16``), or a host name (``media.internal``: fetched whatever it
  resolves to);
- ``any``: every address except the link-local and metadata ranges;
- ``auto`` (the default; ``true`` means it too): ``loopback,public`` when the sandbox is bound to a loopback
  address (``make run``), ``public`` otherwise (the image binds 0.0.0.0).

Link-local (169.254.0.0/16, fe80::/10, where cloud metadata lives) and the other metadata addresses are
never fetched unless an address or network that contains them is named.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
TRUE_WORDS, FALSE_WORDS = ("1", "true", "yes", "on", "auto"), ("0", "false", "no", "off")
# Metadata services outside link-local: AWS's IPv6 endpoint, Alibaba Cloud's.
METADATA = (ipaddress.ip_network("fd00:ec2::254/128"), ipaddress.ip_network("100.100.100.200/32"))
PRIVATE = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))
LOOPBACK_BINDS = ("localhost", "::1")


@dataclass(frozen=True)
class LinkPolicy:
    fetch: bool = True  # False: links are kept and never fetched
    public: bool = False  # globally routable addresses
    loopback: bool = False
    private: bool = False
    any: bool = False  # every address but link-local and metadata
    networks: tuple[Network, ...] = ()  # named addresses and networks: allowed, link-local included
    hosts: frozenset[str] = frozenset()  # named host names: allowed whatever they resolve to

    def allows_name(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: Address) -> bool:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(address in network for network in self.networks):
            return True
        if address.is_link_local or any(address in network for network in METADATA):
            return False
        if self.any:
            return True
        if address.is_loopback:
            return self.loopback
        if any(address in network for network in PRIVATE):
            return self.private
        return self.public and address.is_global


def bound_to_loopback(bind_host: str) -> bool:
    if bind_host.lower() in LOOPBACK_BINDS:
        return True
    try:
        return ipaddress.ip_address(bind_host).is_loopback
    except ValueError:
        return False


def parse_link_policy(value: str | bool, bind_host: str) -> LinkPolicy:
    """The policy a ``SANDBOX_MEDIA_FETCH_LINKS`` value names; ``auto``/``true`` by the bind address."""
    if isinstance(value, bool):
        value = "auto" if value else "off"
    words = [w.strip().lower() for w in value.split(",") if w.strip()] or ["auto"]
    if len(words) == 1 and words[0] in FALSE_WORDS:
        return LinkPolicy(fetch=False)
    flags = {"public": False, "loopback": False, "private": False, "any": False}
    networks: list[Network] = []
    hosts: set[str] = set()
    for word in words:
        if word in TRUE_WORDS:
            flags["public"] = True
            flags["loopback"] = flags["loopback"] or bound_to_loopback(bind_host)
        elif word in flags:
            flags[word] = True
        elif word in FALSE_WORDS:
            raise ValueError(f"media_fetch_links: '{word}' cannot be combined with other entries")
        else:
            try:
                networks.append(ipaddress.ip_network(word.strip("[]"), strict=False))
            except ValueError:
                if not word.replace("-", "").replace(".", "").replace("_", "").isalnum():
                    raise ValueError(f"media_fetch_links: '{word}' is not off, auto, public, loopback, private, "
                                        "any, an address, a network or a host name") from None
                hosts.add(word.rstrip("."))
    return LinkPolicy(True, networks=tuple(networks), hosts=frozenset(hosts), **flags)

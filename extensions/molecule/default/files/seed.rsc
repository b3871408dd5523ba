# The router of the MikroTik hairpin NAT article: WAN ether1 with the public address, LAN on
# the bridge (192.168.1.0/24). /ip service as RouterOS ships it (WebFig on tcp/80).
/interface bridge port
add bridge=bridge interface=ether2
/ip address
add address=192.168.1.1/24 interface=bridge
add address=203.0.113.1/24 interface=ether1
/ip firewall nat
add action=accept chain=srcnat comment="foreign: leave alone" src-address=10.99.0.0/24

# gw-office as a routeros-sim seed: RouterOS's default configuration (interface lists, the
# defconf masquerade) on a 10.20.0.0/24 LAN.
/interface bridge port
add bridge=bridge comment=defconf interface=ether2
add bridge=bridge comment=defconf interface=ether3
/interface list
add comment=defconf name=WAN
add comment=defconf name=LAN
/interface list member
add comment=defconf interface=bridge list=LAN
add comment=defconf interface=ether1 list=WAN
/ip address
add address=10.20.0.1/24 comment=defconf interface=bridge
add address=198.51.100.20/24 interface=ether1
/ip firewall nat
add action=masquerade chain=srcnat comment="defconf: masquerade" ipsec-policy=out,none out-interface-list=WAN
# A hardened office router: its admin keeps WebFig off and limited to the LAN.
/ip service
set www address=10.20.0.0/24 disabled=yes
/system identity
set name=gw-office

# gw-cabin as a routeros-sim seed: the WAN address changes, the /ip cloud DDNS name follows it.
/interface bridge port
add bridge=bridge interface=ether2
/ip address
add address=192.168.50.1/24 interface=bridge
add address=198.51.100.77/24 interface=ether1
/ip cloud
set ddns-enabled=yes
/system identity
set name=gw-cabin

# gw-home as the routeros-sim seed the integration tests (and `make`-free tryouts) start from.
/interface bridge port
add bridge=bridge interface=ether2
add bridge=bridge interface=ether3
add bridge=bridge interface=ether4
/ip address
add address=192.168.88.1/24 interface=bridge
add address=203.0.113.10/24 interface=ether1
/ip dns
set allow-remote-requests=yes
/ip firewall nat
add action=dst-nat chain=dstnat comment="printer, set up by hand" dst-address=203.0.113.10 dst-port=9100 \
    protocol=tcp to-addresses=192.168.88.40
/system identity
set name=gw-home

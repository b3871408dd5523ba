"""Exit 1, naming them, when the change report's junit.xml has failed routers (with
HAIRPIN_REPORT_FAIL_ON_DRIFT: also routers that drifted from the inventory)."""

import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
failed = [
    f"{case.get('name')} ({failure.get('type')})"
    for case in root.iter("testcase")
    for failure in case.findall("failure")
]
if failed:
    print("routers to look at: " + ", ".join(failed))
    sys.exit(1)
print("every router is as the inventory says")

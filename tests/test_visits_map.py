"""The case's visits on the trace map: one marker per place, labelled with its visits' numbers,
so repeat visits do not draw their numbers on top of each other."""

import re

import folium
import pandas as pd

from config.settings import MapSettings
from geo.maps import visits_map


def test_repeat_visits_to_a_place_share_one_label_with_their_numbers():
    visits = pd.DataFrame(
        [
            ("M1", "Chợ Bến Thành", 10.772, 106.698, "07:00–08:00 01/12"),
            ("O2", "Văn phòng <b>A</b>", 10.780, 106.700, "08:30–17:00 01/12"),
            ("M1", "Chợ Bến Thành", 10.772, 106.698, "17:30–18:00 01/12"),
            ("O2", "Văn phòng <b>A</b>", 10.780, 106.700, "08:30–17:00 02/12"),
            ("O2", "Văn phòng <b>A</b>", 10.780, 106.700, "08:30–17:00 03/12"),
            ("O2", "Văn phòng <b>A</b>", 10.780, 106.700, "08:30–17:00 04/12"),
        ],
        columns=["venue_ref", "venue_name", "lat", "lon", "label"],
    )
    fig = visits_map(visits, MapSettings())
    labels = [
        re.search(r">([^<]*)</div>$", child.icon.options["html"])[1]
        for child in fig._children.values()
        if isinstance(child, folium.Marker) and child.icon is not None
    ]
    assert labels == ["1, 3", "2, 4 … 6 (4)"]  # one label per place, in order of first visit
    tooltips = [
        tooltip.text
        for child in fig._children.values()
        if isinstance(child, folium.CircleMarker)
        for tooltip in child._children.values()
        if isinstance(tooltip, folium.Tooltip)
    ]
    assert tooltips[1].startswith("2. Văn phòng &lt;b&gt;A&lt;/b&gt; — 08:30–17:00 01/12<br>4. ")

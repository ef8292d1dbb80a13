"""The wall screen's look: type and map sized in viewport units, the kiosk mode, the live badge.

Every size is a share of the screen's height, so one page reads at 5 m on a 1080p wall and fills
a 4K one. The rules (tests/browser/test_wall_browser.py checks them in Chromium):
- figures at least 6 % of the screen height (11 % for today's tiles, 7 % in the
  last hour's strip: 119 and 76 px on 1080p);
- labels at least 2.2 % (2.6 %: 28 px on 1080p, about 2 cm on a 55" screen);
- district names on the map 2.33 % of the screen (MAP_LABEL_VH: inside the map's frame a vh
  is the frame's, so the size is divided by the frame's share of the screen);
- the live badge's text 3.6 %; the map 69 % of the height, today's four tiles and the early
  warning below them (EARLY_WARNING_VH) as tall;
- the space-time clusters and the venues crowded now at the labels' size, each on one line cut
  with an ellipsis rather than wrapped, so that the page never scrolls.

No Streamlit here: the page puts these strings on screen with st.html.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

TITLE_VH = 3.4
LABEL_VH = 2.6
NUMBER_VH = 11.0
STRIP_NUMBER_VH = 7.0
BADGE_VH = 3.6
MAP_VH = 69.0
# Below today's tiles, beside the map: the ward hot spots, the space-time clusters (a heading
# and up to WALL_CLUSTER_LINES lines) and the venues crowded now, each one line that never
# wraps; the tiles give up this much of the map's height so that the column ends with the map.
EARLY_WARNING_VH = 22.5
WALL_CLUSTER_LINES = 2
# The map's district names in the frame's own vh: 2.33 % of the screen whatever the frame's height.
MAP_LABEL_VH = 2.33 * 100 / MAP_VH
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def board_css(kiosk: bool) -> str:
    """The dark board; with kiosk, nothing of Streamlit's chrome (header, toolbar, sidebar)."""
    css = f"""
[data-testid="stAppViewContainer"], [data-testid="stHeader"], [data-testid="stSidebar"],
[data-testid="stMain"] {{background: #0b1016}}
[data-testid="stMain"] h1, [data-testid="stMain"] p, [data-testid="stMetricLabel"] *,
[data-testid="stSidebar"] * {{color: #e6edf3 !important}}
[data-testid="stSidebar"] button {{background: #21262d !important}}
[data-testid="stMainBlockContainer"] {{padding: 1.6vh 1.6vw 0 1.6vw !important;
  max-width: 100% !important}}
[data-testid="stMain"] [data-testid="stVerticalBlock"] {{gap: 1.2vh}}
[data-testid="stMain"] h1 {{font-size: {TITLE_VH}vh !important; padding: 0 !important;
  line-height: 1.2 !important}}
[data-testid="stMain"] h1 a {{display: none !important}}
[data-testid="stMetric"] {{background: #161b22; border: 1px solid #30363d;
  border-radius: 1vh; padding: 1.4vh 1.2vw}}
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {{
  font-size: {LABEL_VH}vh !important; line-height: 1.25 !important;
  white-space: normal !important; overflow: visible !important; height: auto !important}}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {{
  font-size: {NUMBER_VH}vh !important; line-height: 1.05 !important; color: #ffffff !important;
  font-weight: 700 !important}}
.st-key-wall_strip_alert, .st-key-wall_strip_quiet {{background: #3a1116;
  border: 2px solid #da3633; border-radius: 1.2vh; padding: 1vh 1.2vw}}
.st-key-wall_strip_quiet {{background: #161b22; border-color: #30363d}}
[class*="st-key-wall_strip"] [data-testid="stMetric"] {{background: transparent; border: none;
  padding: .4vh .6vw}}
[class*="st-key-wall_strip"] [data-testid="stMetricValue"],
[class*="st-key-wall_strip"] [data-testid="stMetricValue"] * {{
  font-size: {STRIP_NUMBER_VH}vh !important}}
.st-key-wall_tiles [data-testid="stMetric"] {{
  height: {(MAP_VH - 1.6 - EARLY_WARNING_VH) / 2:.1f}vh;
  display: flex; flex-direction: column; justify-content: center}}
.wall-strip-title {{font-size: {LABEL_VH * 1.15:.2f}vh; font-weight: 800; color: #ffa198;
  text-transform: uppercase; letter-spacing: .05em}}
{MAP_FRAME} {{height: {MAP_VH}vh !important; width: 100% !important; border-radius: 1vh}}
.st-key-wall_foot, .st-key-wall_foot * {{font-size: 1.5vh !important; color: #8b949e !important}}
.st-key-wall_clusters p {{font-size: {LABEL_VH}vh !important; line-height: 1.3 !important;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; margin: 0 !important}}
.st-key-wall_clusters [data-testid="stVerticalBlock"] {{gap: .4vh}}
.wall-hot {{font-size: {LABEL_VH}vh; line-height: 1.3; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; color: #e6edf3}}
.wall-hot i {{display: inline-block; width: 1.6vh; height: 1.6vh; margin-right: .6vw;
  border-radius: .3vh}}
.wall-hot b {{font-weight: 700; margin-right: .4vw}}
.wall-crowding {{font-size: {LABEL_VH}vh; line-height: 1.3; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; color: #e6edf3; border-radius: 1.2vh;
  padding: .5vh 1.2vw; background: #3a1116; border: 2px solid #da3633}}
.wall-crowding.quiet {{background: #161b22; border-color: #30363d; color: #8b949e}}
.wall-crowding b {{font-weight: 800; color: #ffa198; text-transform: uppercase;
  letter-spacing: .05em; margin-right: .8vw}}
.wall-badge {{display: inline-grid; float: right; overflow: hidden; font-size: {BADGE_VH}vh;
  font-weight: 800; line-height: 1; border-radius: 1vh; color: #fff; background: #1a7f37;
  white-space: nowrap}}
.wall-badge > span {{grid-area: 1 / 1; display: flex; align-items: center;
  justify-content: center; padding: 1vh 1.4vw}}
.wall-badge.old {{background: #bf8700; color: #000}}
.wall-badge .dot {{display: inline-block; width: .6em; height: .6em; border-radius: 50%;
  background: currentColor; margin-right: .5em; vertical-align: .05em;
  animation: wall-pulse 2s ease-in-out infinite}}
.wall-lost {{background: #da3633; color: #fff; opacity: 0; animation-name: wall-lost;
  animation-timing-function: step-end; animation-fill-mode: forwards; animation-duration: 1ms}}
@keyframes wall-lost {{to {{opacity: 1}}}}
@keyframes wall-pulse {{50% {{opacity: .35}}}}
"""
    if kiosk:
        # A screen on a wall has no one to click: Streamlit's header, toolbar and the sidebar
        # go. The sidebar's "signed in as" line stays, small, in a corner: it names the
        # registered screen, which is how an administrator revokes it.
        css += """
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarHeader"],
[data-testid="stSidebarNav"], [data-testid="stSidebarNavSeparator"],
[data-testid="stSidebar"]
  [data-testid="stElementContainer"]:not(:has([data-testid="stCaptionContainer"])),
[data-testid="stSidebar"] [data-testid="stSidebarCollapseButton"] {display: none !important}
[data-testid="stSidebar"] {position: fixed !important; inset: auto 1.6vw 1.2vh auto !important;
  width: auto !important; min-width: 0 !important; max-width: none !important;
  height: auto !important; transform: none !important; background: transparent !important;
  border: none !important; box-shadow: none !important; z-index: 10}
[data-testid="stSidebar"] > div, [data-testid="stSidebarContent"],
[data-testid="stSidebarUserContent"] {height: auto !important; padding: 0 !important;
  background: transparent !important; overflow: visible !important}
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] * {font-size: 1.4vh !important;
  color: #6e7681 !important; margin: 0 !important}
[data-testid="stAppViewContainer"] > [data-testid="stMain"] {margin-left: 0 !important}
"""
    return f"<style>{css}</style>"


def badge_html(
    state: str, text: str, lost_text: str, refresh_seconds: int, rendered: datetime
) -> str:
    """The badge the room reads: green "live", amber "data N min old".

    A browser that lost its server cannot run Python, so the "disconnected" state is the
    browser's own: a red cover whose CSS animation shows it 2 refresh intervals after this
    badge was drawn. Every refresh draws a new badge (the render time is in it, so the HTML
    always changes and the animation starts again); a screen that stops refreshing turns red.
    """
    delay = 2 * refresh_seconds
    return (
        f'<div class="wall-badge {escape(state)}" data-rendered="{rendered.isoformat()}">'
        f'<span><span class="dot"></span>{escape(text)}</span>'
        # Both texts share one grid cell: the badge is as wide as the longer of them.
        f'<span class="wall-lost" style="animation-delay:{delay}s">{escape(lost_text)}</span>'
        "</div>"
    )


def rotation_index(at: datetime, refresh_seconds: int, count: int) -> int:
    """Which of count districts a rotating wall shows at a time: the next one every refresh,
    the same one on every screen of the room at the same moment."""
    return int(at.timestamp() // refresh_seconds) % count

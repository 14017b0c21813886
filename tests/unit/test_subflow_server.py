"""``pyflow-desktop serve`` over a file with subflows: runs flatten them, and a change that
would break a flow using a subflow is refused, so the file always loads again."""

from __future__ import annotations

import copy

from server_helpers import start_server, stop_server
from subflow_docs import MAIN, SCALE, document, write

from pyflow_desktop.repository import load_repository


def test_a_served_file_keeps_its_subflows_sound(tmp_path):
    server = start_server(write(tmp_path, document(), "served.json"))
    try:
        result = server.call("POST", "/runflow", MAIN).body
        assert [node["id"] for node in result][-2:] == ["u2", "t"]
        assert result[-1]["outputs"][0]["value"] == 28.0
        answer = server.call("DELETE", "/flows/sub.scale")
        assert answer.status == 400 and "used as a subflow by flow(s) main" in answer.body["error"]
        bare = {key: value for key, value in copy.deepcopy(SCALE).items() if key != "interface"}
        answer = server.call("POST", "/flows", bare)
        assert answer.status == 400 and "declares no interface" in answer.body["error"]
        renamed = copy.deepcopy(SCALE)
        renamed["interface"]["output"][0]["name"] = "z"
        answer = server.call("POST", "/flows", renamed)
        assert answer.status == 400 and "no output port 'y'" in answer.body["error"]
        assert server.call("DELETE", "/flows/main").body == {"success": True}
        assert server.call("DELETE", "/flows/sub.scale").body == {"success": True}
    finally:
        stop_server(server)
    assert load_repository(server.file).flows == {}

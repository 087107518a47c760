"""Files over HTTP: multipart upload, metadata, content download, listing, deletion."""

from __future__ import annotations

from typing import Any

from stores import BOTH_STORES

EPOCH = 1767225600


def test_upload_keeps_only_the_client_file_name(api: Any) -> None:
    answer = api.upload("C:\\Users\\me\\notes.txt", b"hello world")
    assert answer.status == 200
    assert answer.body == {
        "id": answer.body["id"],
        "object": "file",
        "bytes": 11,
        "created_at": EPOCH,
        "filename": "notes.txt",
        "purpose": "assistants",
        "status": "processed",
    }
    assert answer.body["id"].startswith("file-")
    assert api.upload("docs/guide.md", b"#").body["filename"] == "guide.md"


@BOTH_STORES
def test_retrieve_download_delete(api: Any, err: Any) -> None:
    data = bytes(range(256)) * 4
    file = api.upload("blob.bin", data).body
    path = f"/files/{file['id']}"
    assert api.ok("GET", path) == file
    content = api.get(f"{path}/content")
    assert content.status == 200
    assert content.body == data
    assert content.headers["Content-Type"] == "application/octet-stream"
    assert content.headers["Content-Disposition"] == 'attachment; filename="blob.bin"'
    assert api.delete(path).body == {"id": file["id"], "object": "file", "deleted": True}
    missing = api.get(path)
    assert missing.status == 404
    assert missing.body == err(f"No such File object: {file['id']}", "id")
    assert api.get(f"{path}/content").status == 404


@BOTH_STORES
def test_list_filters_by_purpose(api: Any) -> None:
    first = api.upload("a.txt", b"a").body
    second = api.upload("b.png", b"b", purpose="vision").body
    everything = api.ok("GET", "/files")
    assert [f["id"] for f in everything["data"]] == [second["id"], first["id"]]
    vision = api.ok("GET", "/files", query="purpose=vision")
    assert [f["id"] for f in vision["data"]] == [second["id"]]


def test_upload_errors(api: Any, err: Any) -> None:
    bad = api.upload("a.txt", b"a", purpose="homework")
    assert bad.status == 400
    assert bad.body == err(
        "Invalid value: 'homework'. Supported values are: 'assistants', 'batch', 'fine-tune', "
        "'vision', 'user_data', and 'evals'.",
        "purpose",
        "invalid_value",
    )
    not_multipart = api.post("/files", {"purpose": "assistants"})
    assert not_multipart.status == 400
    assert not_multipart.body["error"]["code"] == "invalid_content_type"


def test_missing_parts(api: Any, err: Any) -> None:
    boundary = "b"
    only_purpose = (
        '--b\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n--b--\r\n'
    )
    headers = {**api.default_headers(), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    answer = api.request("POST", "/files", raw=only_purpose.encode(), headers=headers)
    assert answer.status == 400
    assert answer.body == err(
        "Missing required parameter: 'file'.", "file", "missing_required_parameter"
    )


def test_foundry_allows_only_its_purposes(api: Any) -> None:
    foundry = api.using("foundry")
    assert foundry.upload("a.txt", b"a", purpose="assistants").status == 200
    refused = foundry.upload("a.txt", b"a", purpose="batch")
    assert refused.status == 400
    assert refused.body["error"]["param"] == "purpose"

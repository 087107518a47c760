"""openai-python's streaming helpers on a code_interpreter run: the code arrives in pieces, then
its image output, the image part and the reply's text."""

from __future__ import annotations

import pytest
from openai import AssistantEventHandler, OpenAI
from openai.types.beta.threads import ImageFile
from openai.types.beta.threads import Text as SdkText
from openai.types.beta.threads.runs import ToolCall as SdkToolCall
from openai.types.beta.threads.runs import ToolCallDelta as SdkToolCallDelta
from typing_extensions import override

from asst_engine import serve
from asst_engine.testing import fake_quickstart
from conftest import Server

CODE = [{"type": "code_interpreter"}]


class Handler(AssistantEventHandler):
    """What openai-python's stream helpers report of a code_interpreter run."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []
        self.code = ""

    @override
    def on_tool_call_created(self, tool_call: SdkToolCall) -> None:
        self.seen.append(f"created {tool_call.type}")

    @override
    def on_tool_call_delta(self, delta: SdkToolCallDelta, snapshot: SdkToolCall) -> None:
        assert delta.type == "code_interpreter" and delta.code_interpreter is not None
        self.code += delta.code_interpreter.input or ""
        for output in delta.code_interpreter.outputs or []:
            self.seen.append(f"output {output.type}")

    @override
    def on_tool_call_done(self, tool_call: SdkToolCall) -> None:
        assert tool_call.type == "code_interpreter"
        self.seen.append(f"done {len(tool_call.code_interpreter.outputs)} output")

    @override
    def on_image_file_done(self, image_file: ImageFile) -> None:
        self.seen.append("image")

    @override
    def on_text_done(self, text: SdkText) -> None:
        self.seen.append(f"text {text.value}")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_sdk_stream_helpers_see_the_code_its_output_and_the_image(coder: Server) -> None:
    http = serve(engine=coder.engine)
    try:
        with OpenAI(base_url=f"{http.url}/v1", api_key="sk-test", max_retries=0) as client:
            assistant = client.beta.assistants.create(model="fake-model", tools=CODE)  # type: ignore[list-item]
            thread = client.beta.threads.create(
                messages=[{"role": "user", "content": "Create a visualization of a sinewave"}]
            )
            handler = Handler()
            with client.beta.threads.runs.stream(
                thread_id=thread.id, assistant_id=assistant.id, event_handler=handler
            ) as stream:
                stream.until_done()
    finally:
        http.stop()
    assert handler.code == fake_quickstart.PLOT_CODE
    assert handler.seen == [
        "created code_interpreter",
        "output image",
        "done 1 output",
        "image",
        f"text {fake_quickstart.PLOTTED}",
        # The SDK keeps its current tool call: every later step and the run "finish" it again.
        "done 1 output",
        "done 1 output",
    ]

// runs.stream with tool call events, then submitToolOutputsStream with text events.
import { WEATHER, client, report, shape } from './common.mjs';

const openai = client();
const assistant = await openai.beta.assistants.create({ model: 'gpt-4o', tools: [WEATHER] });
const thread = await openai.beta.threads.create({
  messages: [{ role: 'user', content: 'call get_weather {"city": "Paris"}' }],
});

const toolEvents = [];
const first = openai.beta.threads.runs
  .stream(thread.id, { assistant_id: assistant.id })
  .on('toolCallCreated', (call) => toolEvents.push(`toolCallCreated ${call.type}`))
  .on('toolCallDelta', (delta) => toolEvents.push(`toolCallDelta ${delta.function?.arguments}`))
  .on('toolCallDone', (call) => toolEvents.push(`toolCallDone ${call.function?.name}`));
const waiting = await first.finalRun();
const calls = waiting.required_action?.submit_tool_outputs.tool_calls ?? [];

const textEvents = [];
const second = openai.beta.threads.runs
  .submitToolOutputsStream(thread.id, waiting.id, {
    tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: 'sunny' })),
  })
  .on('event', (event) => textEvents.push(event.event))
  .on('textDelta', (delta, snapshot) => textEvents.push(`textDelta ${delta.value} -> ${snapshot.value}`));
const done = await second.finalRun();

report({
  requires_action: waiting.status,
  calls: calls.map((c) => [shape(c.id), c.function.name, c.function.arguments]),
  tool_events: toolEvents,
  after_events: textEvents,
  final_status: done.status,
  final_text: (await second.finalMessages()).map((m) => m.content[0].text.value),
});

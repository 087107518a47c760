// runs.createAndPoll: create a run, then poll it (honouring openai-poll-after-ms) to its end.
import { client, report, shape, texts } from './common.mjs';

const openai = client();
const assistant = await openai.beta.assistants.create({ model: 'gpt-4o', name: 'node poller' });
const thread = await openai.beta.threads.create({
  messages: [{ role: 'user', content: 'hello from node' }],
});
const run = await openai.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id });
const listed = await openai.beta.threads.messages.list(thread.id, { order: 'asc' });

report({
  ids: [assistant.id, thread.id, run.id].map(shape),
  status: run.status,
  same_thread: run.thread_id === thread.id,
  messages: texts(listed.data),
});

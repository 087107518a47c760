// Auto-paging: `for await` over a list fetches every page (limit 2) of five assistants.
import { client, report } from './common.mjs';

const openai = client();
for await (const old of openai.beta.assistants.list({ limit: 100 })) {
  await openai.beta.assistants.del(old.id);
}
const made = [];
for (let i = 0; i < 5; i += 1) {
  made.push((await openai.beta.assistants.create({ model: 'gpt-4o', name: `n${i}` })).id);
}
const seen = [];
for await (const assistant of openai.beta.assistants.list({ limit: 2 })) {
  seen.push(assistant.id);
}
const pages = [];
const firstPage = await openai.beta.assistants.list({ limit: 2 });
for await (const page of firstPage.iterPages()) {
  pages.push(page.data.map((a) => made.indexOf(a.id)));
}

report({ newest_first: JSON.stringify(seen) === JSON.stringify([...made].reverse()), pages });

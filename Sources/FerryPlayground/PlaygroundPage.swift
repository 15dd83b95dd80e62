/// The playground page: one self-contained file of HTML, CSS and JavaScript. Nothing loads from
/// elsewhere (the page's Content-Security-Policy forbids it), so it works offline. It builds every
/// node with `textContent`, never `innerHTML`: messages are text the users and the bot wrote.
enum PlaygroundPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Ferry playground</title>
        <style>
        :root {
          --ink: #17212b; --muted: #6b7785; --line: #dde3ea; --accent: #2f7de1; --accent-ink: #fff;
          --panel: #ffffff; --chat: #e9eef3; --mine: #e1f4d3; --theirs: #ffffff; --warn: #fff6db; --warn-line: #f0d98a;
          --danger: #d64545;
          font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
          color: var(--ink);
        }
        * { box-sizing: border-box; }
        html, body { height: 100%; margin: 0; }
        body { display: grid; grid-template-rows: auto auto 1fr; background: var(--chat); }
        button, input, select { font: inherit; color: inherit; }
        button { cursor: pointer; }

        header { display: flex; align-items: center; gap: 16px; padding: 10px 18px; background: #16283f; color: #fff; }
        header h1 { font-size: 17px; margin: 0; font-weight: 600; letter-spacing: .2px; }
        header .bot { color: #a9bdd6; font-size: 14px; }
        .stats { margin-left: auto; display: flex; gap: 8px; align-items: center; }
        .stat { background: rgba(255,255,255,.09); border-radius: 8px; padding: 4px 10px; font-size: 13px; color: #c9d6e6; white-space: nowrap; }
        .stat b { color: #fff; font-variant-numeric: tabular-nums; margin-left: 4px; }
        .stat.alarm { background: var(--danger); color: #fff; }
        .live { display: flex; align-items: center; gap: 6px; font-size: 13px; color: #c9d6e6; }
        .live i { width: 9px; height: 9px; border-radius: 50%; background: #8a96a3; display: inline-block; }
        .live.on i { background: #3ccf6e; box-shadow: 0 0 0 3px rgba(60,207,110,.25); }

        .notice { background: var(--warn); border-bottom: 1px solid var(--warn-line); padding: 8px 18px; font-size: 14px; }
        .notice strong { margin-right: 4px; }
        .dev-banner { padding: 8px 18px; font-size: 14px; border-bottom: 1px solid var(--warn-line); background: var(--warn); }
        .dev-banner.failed, .dev-banner.stopped { background: #fde2e1; border-bottom-color: #e5a3a0; }
        .dev-banner pre { margin: 6px 0 0; white-space: pre-wrap; font-size: 12px; max-height: 40vh; overflow: auto; }
        code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: rgba(0,0,0,.06); padding: 1px 5px; border-radius: 4px; }

        main { display: grid; grid-template-columns: 290px 1fr; min-height: 0; }
        aside { background: var(--panel); border-right: 1px solid var(--line); display: flex; flex-direction: column; min-height: 0; }
        aside h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .6px; color: var(--muted); margin: 14px 16px 6px; font-weight: 600; }
        #chats { list-style: none; margin: 0; padding: 0 8px; overflow-y: auto; flex: 1; }
        #chats li { display: flex; align-items: center; gap: 10px; padding: 8px; border-radius: 10px; cursor: pointer; }
        #chats li:hover { background: #f1f4f7; }
        #chats li.active { background: var(--accent); color: var(--accent-ink); }
        #chats li.active .sub { color: #dbe8fb; }
        .avatar { flex: none; width: 38px; height: 38px; border-radius: 50%; display: grid; place-items: center; color: #fff; font-weight: 600; }
        .who { min-width: 0; flex: 1; }
        .who .name { font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .who .sub { font-size: 13px; color: var(--muted); }
        .badge { background: var(--accent); color: #fff; border-radius: 10px; font-size: 12px; padding: 0 7px; }
        li.active .badge { background: #fff; color: var(--accent); }
        .forms { border-top: 1px solid var(--line); padding: 4px 16px 14px; }
        .forms form { display: flex; flex-wrap: wrap; gap: 6px; margin-bottom: 6px; }
        .forms input[type=text] { flex: 1; min-width: 0; padding: 6px 9px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
        .forms .members { width: 100%; display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 13px; color: var(--muted); max-height: 84px; overflow-y: auto; }
        .forms .members label { display: flex; gap: 4px; align-items: center; }
        .secondary { border: 1px solid var(--line); background: #f6f8fa; border-radius: 8px; padding: 6px 10px; }
        .secondary:hover { background: #edf1f5; }

        section { display: grid; grid-template-rows: auto 1fr auto; min-height: 0; }
        .chat-head { background: var(--panel); border-bottom: 1px solid var(--line); padding: 10px 18px; }
        .chat-head .name { font-weight: 600; }
        .chat-head .sub { font-size: 13px; color: var(--muted); min-height: 18px; }
        #messages { overflow-y: auto; padding: 18px max(18px, calc((100% - 760px) / 2)); display: flex; flex-direction: column; gap: 6px; }
        .empty { margin: auto; color: var(--muted); text-align: center; max-width: 360px; }
        .msg { max-width: min(520px, 80%); align-self: flex-start; }
        .msg.mine { align-self: flex-end; }
        .bubble { background: var(--theirs); border-radius: 14px 14px 14px 4px; padding: 7px 11px 6px; box-shadow: 0 1px 1px rgba(0,0,0,.08); }
        .mine .bubble { background: var(--mine); border-radius: 14px 14px 4px 14px; }
        .from { font-size: 13px; font-weight: 600; color: var(--accent); margin-bottom: 1px; }
        .text { white-space: pre-wrap; overflow-wrap: anywhere; }
        .meta { font-size: 11px; color: var(--muted); text-align: right; margin-top: 2px; }
        .keyboard { display: grid; gap: 4px; margin-top: 4px; min-width: 220px; }
        .keyboard .row { display: flex; gap: 4px; }
        .keyboard button { flex: 1; border: 0; border-radius: 8px; padding: 7px 8px; background: rgba(47,125,225,.12); color: #1d5fb4; font-weight: 500; }
        .keyboard button:hover { background: rgba(47,125,225,.22); }
        .keyboard button:disabled { cursor: default; opacity: .55; }

        form#composer { display: flex; gap: 8px; align-items: center; padding: 10px max(18px, calc((100% - 760px) / 2)); background: var(--panel); border-top: 1px solid var(--line); }
        #sender { max-width: 180px; padding: 8px; border: 1px solid var(--line); border-radius: 10px; background: #fff; }
        #text { flex: 1; min-width: 0; padding: 10px 14px; border: 1px solid var(--line); border-radius: 20px; outline: none; }
        #text:focus { border-color: var(--accent); }
        #send { border: 0; border-radius: 20px; background: var(--accent); color: #fff; padding: 9px 18px; font-weight: 600; }
        #send:disabled { opacity: .5; cursor: default; }

        #toast { position: fixed; left: 50%; bottom: 86px; transform: translateX(-50%); background: rgba(23,33,43,.92); color: #fff; padding: 9px 16px; border-radius: 10px; font-size: 14px; opacity: 0; transition: opacity .2s; pointer-events: none; max-width: 80vw; }
        #toast.show { opacity: 1; }
        #toast.error { background: var(--danger); }

        @media (max-width: 760px) {
          main { grid-template-columns: 1fr; grid-template-rows: 200px 1fr; }
          aside { border-right: 0; border-bottom: 1px solid var(--line); }
          .forms { display: none; }
          header .stats .stat.extra { display: none; }
        }
        </style>
        </head>
        <body>
        <header>
          <h1>Ferry playground</h1>
          <span class="bot" id="bot-name"></span>
          <div class="stats" title="The bot's pipeline: updates Telegram still holds for the webhook, updates in the bot's queue, updates that failed every attempt">
            <span class="stat extra">Awaiting webhook<b id="stat-awaiting">–</b></span>
            <span class="stat">Queue<b id="stat-queue">–</b></span>
            <span class="stat" id="stat-dead-box">Dead letters<b id="stat-dead">–</b></span>
            <span class="live" id="live"><i></i><span id="live-text">connecting</span></span>
          </div>
        </header>
        <div class="notice" role="note">
          <strong>This is a simulation.</strong> No Telegram is involved and nothing leaves this machine: you play the users,
          the bot answers through its real pipeline (webhook, queue, handlers). To connect the real Telegram, stop the bot and start it with
          the token from @BotFather: <code id="real-command">TELEGRAM_BOT_TOKEN=123456:ABC… swift run EchoBot serve --port 8080 --data-dir ./data</code>
          (<code>poll</code> instead of <code>serve</code> where there is no public URL for the webhook).
        </div>
        <div class="dev-banner" id="dev-banner" role="alert" hidden><strong id="dev-title"></strong><pre id="dev-message"></pre></div>
        <main>
          <aside>
            <h2>Chats</h2>
            <ul id="chats"></ul>
            <div class="forms">
              <h2>New user</h2>
              <form id="new-user">
                <input type="text" id="user-name" placeholder="First name" maxlength="64" required>
                <button class="secondary" type="submit">Add</button>
              </form>
              <h2>New group</h2>
              <form id="new-group">
                <input type="text" id="group-title" placeholder="Group title" maxlength="128" required>
                <button class="secondary" type="submit">Create</button>
                <div class="members" id="group-members"></div>
              </form>
            </div>
          </aside>
          <section>
            <div class="chat-head"><div class="name" id="chat-name">&nbsp;</div><div class="sub" id="chat-sub"></div></div>
            <div id="messages"></div>
            <form id="composer" autocomplete="off">
              <select id="sender" title="Who writes"></select>
              <input type="text" id="text" placeholder="Write a message… try /start" maxlength="4096">
              <button id="send" type="submit">Send</button>
            </form>
          </section>
        </main>
        <div id="toast" role="status"></div>
        <script>
        "use strict";
        const $ = (id) => document.getElementById(id);
        const state = { world: null, chatID: null, messages: new Map(), unread: new Map(), typingTimer: null, devTimer: null };
        const palette = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

        async function api(path, body) {
          const options = body === undefined ? {} :
            { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
          let response;
          try {
            response = await fetch("/playground/api/" + path, options);
          } catch (error) {
            throw new Error("The bot cannot be reached (restarting?); try again in a moment");
          }
          const answer = await response.json().catch(() => ({}));
          if (!response.ok) throw new Error(answer.error || ("HTTP " + response.status));
          return answer;
        }

        function el(tag, className, text) {
          const node = document.createElement(tag);
          if (className) node.className = className;
          if (text !== undefined) node.textContent = text;
          return node;
        }

        function toast(text, isError) {
          const node = $("toast");
          node.textContent = text;
          node.className = "show" + (isError ? " error" : "");
          clearTimeout(toast.timer);
          toast.timer = setTimeout(() => { node.className = ""; }, 2800);
        }

        function userName(user) { return [user.first_name, user.last_name].filter(Boolean).join(" "); }
        function chatEntry(id) { return state.world.chats.find((entry) => entry.chat.id === id); }
        function chatName(chat) { return chat.title || [chat.first_name, chat.last_name].filter(Boolean).join(" "); }
        function isGroup(chat) { return chat.type !== "private"; }
        function colorFor(id) { return palette[Math.abs(id) % palette.length]; }

        function avatar(name, id) {
          const node = el("span", "avatar", (name || "?").trim().charAt(0).toUpperCase());
          node.style.background = colorFor(id);
          return node;
        }

        // Private chats first (by user), then groups as they were created.
        function sortedChats() {
          return [...state.world.chats].sort((a, b) =>
            isGroup(a.chat) === isGroup(b.chat) ? (isGroup(a.chat) ? b.chat.id - a.chat.id : a.chat.id - b.chat.id) : (isGroup(a.chat) ? 1 : -1));
        }

        function renderChats() {
          const list = $("chats");
          list.replaceChildren();
          for (const entry of sortedChats()) {
            const item = el("li");
            item.dataset.chatId = entry.chat.id;
            if (entry.chat.id === state.chatID) item.classList.add("active");
            const who = el("div", "who");
            who.append(el("div", "name", chatName(entry.chat)));
            who.append(el("div", "sub", isGroup(entry.chat) ? `group · ${entry.memberIDs.length} ${entry.memberIDs.length === 1 ? "member" : "members"} + bot` : "private chat with the bot"));
            item.append(avatar(chatName(entry.chat), entry.chat.id), who);
            const unread = state.unread.get(entry.chat.id);
            if (unread) item.append(el("span", "badge", String(unread)));
            item.addEventListener("click", () => selectChat(entry.chat.id));
            list.append(item);
          }
          const members = $("group-members");
          members.replaceChildren();
          for (const user of state.world.users) {
            const label = el("label");
            const box = el("input");
            box.type = "checkbox";
            box.value = user.id;
            box.checked = true;
            label.append(box, document.createTextNode(user.first_name));
            members.append(label);
          }
        }

        function renderHeader() {
          const entry = chatEntry(state.chatID);
          if (!entry) return;
          $("chat-name").textContent = chatName(entry.chat);
          const members = entry.memberIDs.map((id) => state.world.users.find((user) => user.id === id)).filter(Boolean);
          $("chat-sub").textContent = isGroup(entry.chat)
            ? members.map((user) => user.first_name).concat(state.world.bot.first_name + " (bot)").join(", ")
            : "you are " + userName(members[0] || { first_name: "?" }) + ", talking to @" + state.world.bot.username;
          const sender = $("sender");
          const previous = sender.value;
          sender.replaceChildren(...members.map((user) => { const option = el("option", null, user.first_name); option.value = user.id; return option; }));
          if (members.some((user) => String(user.id) === previous)) sender.value = previous;
          sender.disabled = !isGroup(entry.chat);
        }

        function renderMessages() {
          const box = $("messages");
          box.replaceChildren();
          const messages = [...(state.messages.get(state.chatID) || new Map()).values()].sort((a, b) => a.message_id - b.message_id);
          if (messages.length === 0) box.append(el("div", "empty", "No messages yet. Say hello, or send /start to begin."));
          for (const message of messages) box.append(renderMessage(message, inGroup()));
          box.scrollTop = box.scrollHeight;
        }

        function inGroup() {
          const entry = chatEntry(state.chatID);
          return Boolean(entry && isGroup(entry.chat));
        }

        // One message changed: only its node is replaced (an edit stays where it was), or a new one slots in by id.
        function showMessage(message) {
          const box = $("messages");
          const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
          const node = renderMessage(message, inGroup());
          const existing = box.querySelector(`[data-message-id="${message.message_id}"]`);
          if (existing) {
            existing.replaceWith(node);
          } else {
            const empty = box.querySelector(".empty");
            if (empty) empty.remove();
            const later = [...box.children].find((child) => Number(child.dataset.messageId) > message.message_id);
            box.insertBefore(node, later || null);
          }
          if (atBottom) box.scrollTop = box.scrollHeight;
        }

        function renderMessage(message, inGroup) {
          const fromBot = message.from && message.from.is_bot;
          const node = el("div", "msg " + (fromBot ? "bot" : "mine"));
          node.dataset.messageId = message.message_id;
          const bubble = el("div", "bubble");
          if (inGroup || fromBot) {
            const from = el("div", "from", message.from ? userName(message.from) : "");
            if (message.from) from.style.color = colorFor(message.from.id);
            bubble.append(from);
          }
          bubble.append(el("div", "text", message.text ?? message.caption ?? (message.photo ? "[photo]" : message.document ? "[document: " + (message.document.file_name || "file") + "]" : "[message]")));
          const time = new Date(message.date * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
          bubble.append(el("div", "meta", (message.edit_date ? "edited · " : "") + time));
          node.append(bubble);
          const keyboard = message.reply_markup && message.reply_markup.inline_keyboard;
          if (keyboard && keyboard.length) {
            const grid = el("div", "keyboard");
            for (const row of keyboard) {
              const line = el("div", "row");
              for (const button of row) {
                const press = el("button", null, button.text);
                press.type = "button";
                if (button.callback_data !== undefined) {
                  press.addEventListener("click", () => pressButton(message, button.callback_data, press));
                } else {
                  press.disabled = true;
                  press.title = button.url ? "opens " + button.url + " on Telegram" : "not simulated";
                }
                line.append(press);
              }
              grid.append(line);
            }
            node.append(grid);
          }
          return node;
        }

        function remember(message) {
          const chatID = message.chat.id;
          if (!state.messages.has(chatID)) state.messages.set(chatID, new Map());
          state.messages.get(chatID).set(message.message_id, message);
        }

        async function selectChat(id) {
          state.chatID = id;
          state.unread.delete(id);
          renderChats();
          renderHeader();
          const history = await api(`chats/${id}/messages`);
          state.messages.set(id, new Map());
          for (const message of history) remember(message);
          if (state.chatID === id) renderMessages();
          $("text").focus();
        }

        const devTitles = {
          building: "Building…",
          failed: "The build failed; the last good build keeps running. Fix the errors and save:",
          stopped: "The bot stopped; save a file to build and start it again.",
        };

        async function checkDev() {
          try {
            const status = await api("dev");
            $("dev-banner").hidden = status.state === "running";
            $("dev-banner").className = "dev-banner " + status.state;
            $("dev-title").textContent = devTitles[status.state] || "";
            $("dev-message").textContent = status.state === "building" ? "" : (status.message || "");
          } catch (error) {
            // Restarting: the next check tells.
          }
        }

        async function loadWorld() {
          state.world = await api("world");
          if (state.world.dev && !state.devTimer) {
            state.devTimer = setInterval(checkDev, 1000);
            checkDev();
          }
          $("bot-name").textContent = "@" + state.world.bot.username;
          $("real-command").textContent =
            `TELEGRAM_BOT_TOKEN=123456:ABC… swift run ${state.world.commandName} serve --port 8080 --data-dir ./data`;
          document.title = `${state.world.bot.first_name} · Ferry playground`;
          if (state.chatID === null && state.world.chats.length) {
            await selectChat(sortedChats()[0].chat.id);
          } else {
            renderChats();
            renderHeader();
          }
        }

        function currentSender() {
          const entry = chatEntry(state.chatID);
          return isGroup(entry.chat) ? Number($("sender").value) : entry.chat.id;
        }

        async function pressButton(message, data, button) {
          button.disabled = true;
          try {
            await api("buttons", { chatID: message.chat.id, messageID: message.message_id, userID: currentSender(), callbackData: data });
          } catch (error) {
            toast(error.message, true);
          } finally {
            setTimeout(() => { button.disabled = false; }, 400);
          }
        }

        $("composer").addEventListener("submit", async (event) => {
          event.preventDefault();
          const input = $("text");
          const text = input.value;
          if (!text.trim() || state.chatID === null) return;
          $("send").disabled = true;
          try {
            await api("messages", { chatID: state.chatID, userID: currentSender(), text });
            input.value = "";
          } catch (error) {
            toast(error.message, true);
          } finally {
            $("send").disabled = false;
            input.focus();
          }
        });

        $("new-user").addEventListener("submit", async (event) => {
          event.preventDefault();
          try {
            const created = await api("users", { firstName: $("user-name").value });
            $("user-name").value = "";
            await loadWorld();
            await selectChat(created.chat.id);
          } catch (error) { toast(error.message, true); }
        });

        $("new-group").addEventListener("submit", async (event) => {
          event.preventDefault();
          const memberIDs = [...$("group-members").querySelectorAll("input:checked")].map((box) => Number(box.value));
          try {
            const created = await api("groups", { title: $("group-title").value, memberIDs });
            $("group-title").value = "";
            await loadWorld();
            await selectChat(created.chat.id);
          } catch (error) { toast(error.message, true); }
        });

        function showPipeline(figures) {
          $("stat-awaiting").textContent = figures.awaitingDelivery;
          $("stat-queue").textContent = figures.queueDepth;
          $("stat-dead").textContent = figures.deadLetters;
          $("stat-dead-box").classList.toggle("alarm", figures.deadLetters > 0);
        }

        function onMessage(message) {
          remember(message);
          if (message.chat.id === state.chatID) {
            showMessage(message);
          } else if (message.from && message.from.is_bot) {
            state.unread.set(message.chat.id, (state.unread.get(message.chat.id) || 0) + 1);
            renderChats();
          }
        }

        function connect() {
          const events = new EventSource("/playground/api/events");
          const live = (on, text) => { $("live").classList.toggle("on", on); $("live-text").textContent = text; };
          let connectedBefore = false;
          events.onopen = () => {
            live(true, "live");
            // Back after the bot restarted: what happened meanwhile is in the world and the history.
            if (connectedBefore) {
              loadWorld().then(() => state.chatID !== null && selectChat(state.chatID)).catch((error) => toast(error.message, true));
            }
            connectedBefore = true;
          };
          events.onerror = () => live(false, "reconnecting");
          const on = (name, handle) => events.addEventListener(name, (event) => handle(JSON.parse(event.data)));
          on("message", onMessage);
          on("edited", onMessage);
          on("deleted", (gone) => {
            const chat = state.messages.get(gone.chatID);
            if (chat) chat.delete(gone.messageID);
            const node = gone.chatID === state.chatID && $("messages").querySelector(`[data-message-id="${gone.messageID}"]`);
            if (node) node.remove();
          });
          on("callbackAnswer", (answer) => { if (answer.text) toast(answer.text); });
          on("chatAction", (action) => {
            if (action.chatID !== state.chatID) return;
            $("chat-sub").textContent = state.world.bot.first_name + " is " + action.action.replace(/_/g, " ") + "…";
            clearTimeout(state.typingTimer);
            state.typingTimer = setTimeout(renderHeader, 5000);
          });
          on("world", () => loadWorld().catch((error) => toast(error.message, true)));
          on("pipeline", showPipeline);
        }

        api("pipeline").then(showPipeline).catch(() => {});
        loadWorld().catch((error) => toast(error.message, true));
        connect();
        </script>
        </body>
        </html>
        """#
}

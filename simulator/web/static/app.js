// fuelseal serve: the page works without this script (forms post, a waiting page refreshes itself);
// with it, a run's progress bar moves without reloading and the page shows the result when it is ready.
"use strict";
(function () {
  const box = document.getElementById("progress");
  if (!box) return;
  const bar = document.getElementById("progress-bar");
  const text = document.getElementById("progress-text");
  const fill = (template, values) => template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? values[k] : m));
  async function poll() {
    let status;
    try {
      const r = await fetch(box.dataset.status, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!r.ok) throw new Error(String(r.status));
      status = await r.json();
    } catch (e) {
      setTimeout(poll, 2000);
      return;
    }
    if (status.state !== "queued" && status.state !== "running") {
      window.location.replace(box.dataset.page);
      return;
    }
    bar.max = status.replications;
    bar.value = status.saved;
    if (status.state === "queued") {
      text.textContent = fill(box.dataset.waiting, { n: status.position });
    } else if (status.saved >= status.replications) {
      bar.removeAttribute("value");
      text.textContent = box.dataset.writing;
    } else {
      text.textContent = fill(box.dataset.running, { saved: status.saved, total: status.replications });
    }
    setTimeout(poll, 500);
  }
  setTimeout(poll, 300);
})();

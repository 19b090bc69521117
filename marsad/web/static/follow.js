// Follow / unfollow buttons: one call to the REST API, then the page again.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.follow, button.unfollow");
  if (!button) return;
  const { follow: id, kind, target, outlet } = button.dataset;
  const post = (path, body) =>
    fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const response = id
    ? await fetch(`/api/follows/${encodeURIComponent(id)}`, { method: "DELETE" })
    : kind === "search"
      ? await post("/api/search/follows", { q: target, outlet: outlet || null })
      : await post("/api/follows", { kind, target });
  if (response.ok && kind === "search") {
    button.textContent = "✓ بحث محفوظ";
    button.classList.add("on");
    return;
  }
  if (response.ok) {
    location.reload();
    return;
  }
  const said = button.parentElement.querySelector(".follow-error");
  const body = await response.json().catch(() => ({}));
  if (said) said.textContent = `تعذّرت المتابعة: ${body.detail || response.status}`;
});

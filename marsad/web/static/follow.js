// Follow / unfollow buttons: one call to the REST API, then the page again.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.follow, button.unfollow");
  if (!button) return;
  const id = button.dataset.follow;
  const response = id
    ? await fetch(`/api/follows/${encodeURIComponent(id)}`, { method: "DELETE" })
    : await fetch("/api/follows", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ kind: button.dataset.kind, target: button.dataset.target }),
      });
  if (response.ok) {
    location.reload();
    return;
  }
  const said = button.parentElement.querySelector(".follow-error");
  const body = await response.json().catch(() => ({}));
  if (said) said.textContent = `تعذّرت المتابعة: ${body.detail || response.status}`;
});

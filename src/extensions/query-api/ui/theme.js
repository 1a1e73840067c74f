// Applies the saved theme before the first paint (a classic script, so it runs in <head>).
try {
  const t = localStorage.getItem('auditline-theme');
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch {
  /* storage blocked: follow prefers-color-scheme */
}

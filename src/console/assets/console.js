// Renders every chart on the page: <div data-chart="ID"> with its Vega-Lite spec in <script type="application/json" id="ID">.
document.addEventListener('DOMContentLoaded', () => {
  for (const el of document.querySelectorAll('[data-chart]')) {
    const spec = JSON.parse(document.getElementById(el.dataset.chart).textContent);
    vegaEmbed(el, spec, { actions: false, renderer: 'svg' })
      .then(() => el.setAttribute('data-rendered', 'true'))
      .catch((err) => { el.textContent = `chart failed: ${err.message}`; el.setAttribute('data-rendered', 'error'); });
  }
});

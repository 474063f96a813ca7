import pytest
from riskmgmt.reports.facts import quality_facts, action_plan_facts
from riskmgmt.reports.document import quality_context, render_pdf, render_xlsx, render_html

def test_smoke(family_history, org):
    import json
    print(json.dumps(quality_facts(org["fam"], 2014), indent=1))
    print(action_plan_facts(org["fam"], 2014))
    ctx = quality_context(org["fam"], 2014)
    html = render_html(ctx)
    assert "Familjesektionen" in html
    open("/tmp/q.pdf","wb").write(render_pdf(ctx))
    open("/tmp/q.xlsx","wb").write(render_xlsx(ctx))

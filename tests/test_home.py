from market.enterprises.models import EnterpriseStatus


def test_home_page_shows_live_counts(client, factory):
    factory.enterprise()
    factory.enterprise(status=EnterpriseStatus.PENDING)
    factory.enterprise(status=EnterpriseStatus.REJECTED)
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-stat="enterprises-joined">1<' in html
    assert 'data-stat="enterprises-applied">3<' in html


def test_home_page_invites_anonymous_visitors_to_register(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/enterprises/register"' in html
    assert 'href="/accounts/login"' in html


def test_every_asset_is_served_locally(client):
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    for asset in ("/static/css/market.css", "/static/js/market.js", "/static/img/logo.svg"):
        assert asset in html
        response = client.get(asset)
        assert response.status_code == 200
        response.close()

from tests.conftest import login


def test_home_page_shows_live_counts(client, factory):
    factory.enterprise()
    factory.enterprise(status=factory_status("pending"))
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-stat="enterprises-joined">1<' in html
    assert 'data-stat="enterprises-applied">2<' in html


def factory_status(value):
    from market.enterprises.models import EnterpriseStatus

    return EnterpriseStatus(value)


def test_member_logs_in_by_email_and_mobile(client, factory):
    member = factory.enterprise()
    assert login(client, member["email"]).status_code == 302
    client.post("/accounts/logout")

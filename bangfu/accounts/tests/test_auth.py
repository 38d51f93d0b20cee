from bangfu.audit.models import AuditEntry


def test_login_page_lists_demo_accounts_in_demo_mode(client, db, settings):
    settings.DEMO_MODE = True
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "演示账号" in response.content.decode()


def test_login_page_hides_demo_accounts_outside_demo_mode(client, db, settings):
    settings.DEMO_MODE = False
    response = client.get("/accounts/login/")
    assert "演示账号" not in response.content.decode()


def test_login_success_and_failure_are_audited_without_password(client, world):
    client.post("/accounts/login/", {"username": "coord", "password": "nope-wrong"})
    client.post("/accounts/login/", {"username": "coord", "password": "pw-Test-1234"})
    failed = AuditEntry.objects.get(action="login_failed")
    assert failed.actor_name == "coord"
    assert "nope-wrong" not in str(failed.changes)
    assert AuditEntry.objects.filter(action="login", actor=world.coordinator).exists()


def test_password_change_requires_login_and_policy(client_for, world):
    assert client_for("anonymous").get("/accounts/password/").status_code == 302
    client = client_for("helper")
    response = client.post(
        "/accounts/password/",
        {"old_password": "pw-Test-1234", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "密码" in response.content.decode()
    world.helper.refresh_from_db()
    assert world.helper.check_password("pw-Test-1234")
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "pw-Test-1234",
            "new_password1": "Xq7#long-enough",
            "new_password2": "Xq7#long-enough",
        },
    )
    assert response.status_code == 302
    world.helper.refresh_from_db()
    assert world.helper.check_password("Xq7#long-enough")
    assert AuditEntry.objects.filter(action="password", actor=world.helper).exists()


def test_logout_is_post_only(client_for):
    client = client_for("helper")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_not_found_page_is_chinese(client_for, settings):
    settings.DEBUG = False
    response = client_for("helper").get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_server_error_page_is_chinese(rf, db):
    from bangfu.core.views import permission_denied, server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and "服务器错误" in response.content.decode()
    response = permission_denied(rf.get("/"))
    assert response.status_code == 403 and "无权访问" in response.content.decode()

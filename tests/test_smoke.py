"""The app starts and the seed loads."""



def test_plan_page_lists_17_tasks(client, seeded, login_as):
    login_as("secretariat")
    response = client.get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count('class="task-row"') == 17

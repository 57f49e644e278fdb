# The production Dashboard's redirect URLs for the app: test mode has /test/ before apps-oauth.
my_test_url = "https://dashboard.stripe.com/test/apps-oauth/com.example.pkce-kit"
my_live_url = "https://dashboard.stripe.com/apps-oauth/com.example.pkce-kit"

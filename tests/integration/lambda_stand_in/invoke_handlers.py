"""Run inside the Lambda runtime stand-in: imports the packaged handler module and invokes a
route that needs no AWS, a route that reads DynamoDB, and the scheduled sweep, as Lambda
would; prints the status codes."""
import json, time
import app

class Context:
    aws_request_id = "req-1"
    function_name = "boxoffice-dev-APIHandler"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:boxoffice-dev-APIHandler"
    log_stream_name = "stand-in"
    def get_remaining_time_in_millis(self):
        return 29000

def request(path, query=None):
    return {"resource": path, "path": path, "httpMethod": "GET", "headers": {"Host": "x"},
            "multiValueHeaders": {}, "queryStringParameters": query, "multiValueQueryStringParameters": None,
            "pathParameters": None, "stageVariables": None, "body": None, "isBase64Encoded": False,
            "requestContext": {"resourcePath": path, "httpMethod": "GET", "requestId": "r1", "stage": "v1",
                               "identity": {"sourceIp": "127.0.0.1"}, "path": "/v1" + path}}
answers = [app.app(request("/health"), Context())["statusCode"],
           app.app(request("/events", {"limit": "1"}), Context())["statusCode"],
           app.sweep({"version": "0", "id": "e1", "detail-type": "Scheduled Event", "source": "aws.events",
                      "account": "123456789012", "time": "2026-11-23T00:00:00Z", "region": "us-east-1",
                      "resources": [], "detail": {}}, Context()) is not None]
print(json.dumps(answers))

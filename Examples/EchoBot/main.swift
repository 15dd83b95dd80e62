print("EchoBot: the command line arrives with the local runtime")

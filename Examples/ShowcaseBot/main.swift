print("ShowcaseBot: the command line arrives with the local runtime")

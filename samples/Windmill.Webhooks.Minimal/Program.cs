var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddWindmillWebhooks(builder.Configuration.GetSection("Windmill"))
    .UseSqlite("Data Source=windmill.db")
    .AddScript("u/bot/hello_world", (string name = "world") => $"Hello, {name}!");

var app = builder.Build();
app.MapWindmillWebhooks();
app.Run();
